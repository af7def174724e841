import { describe, expect, it } from 'vitest';
import { isAllowedSnsCertUrl, isAllowedSnsUrl, snsCanonicalString, type TSnsMessage } from './deliverability.sns.ts';

describe('SNS signing certificate URLs', () => {
  it.each([
    ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem', true],
    ['https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem', true],
    ['https://amazonaws.com/cert.pem', false],
    ['https://anybucket.s3.amazonaws.com/cert.pem', false],
    ['https://s3.amazonaws.com/anybucket/cert.pem', false],
    ['https://sns.us-east-1.amazonaws.com/cert.txt', false],
    ['https://sns.us-east-1.amazonaws.com:8443/cert.pem', false],
    ['http://sns.us-east-1.amazonaws.com/cert.pem', false],
    ['https://sns.us-east-1.amazonaws.com.evil.example/cert.pem', false],
    ['https://evilamazonaws.com/cert.pem', false],
    ['https://user:pass@sns.us-east-1.amazonaws.com/cert.pem', false],
    ['not a url', false],
  ])('%s is allowed by default: %s', (url, isAllowed) => {
    expect(isAllowedSnsCertUrl(url, undefined)).toBe(isAllowed);
  });

  it('takes exactly the configured host, and not its subdomains, when one is set', () => {
    expect(isAllowedSnsCertUrl('https://127.0.0.1:8443/cert.pem', '127.0.0.1')).toBe(true);
    expect(isAllowedSnsCertUrl('https://sns.local.test/cert.pem', 'local.test')).toBe(false);
    expect(isAllowedSnsCertUrl('https://sns.us-east-1.amazonaws.com/cert.pem', '127.0.0.1')).toBe(false);
  });

  it('lets a SubscribeURL, which is not a certificate, through on the SNS host only', () => {
    expect(isAllowedSnsUrl('https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription', undefined)).toBe(true);
    expect(isAllowedSnsUrl('https://anybucket.s3.amazonaws.com/?Action=ConfirmSubscription', undefined)).toBe(false);
  });
});

describe('the SNS canonical string', () => {
  const base = {
    MessageId: 'm-1',
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:t',
    Message: 'hello',
    Timestamp: '2026-12-01T00:00:00.000Z',
    SignatureVersion: '1',
    Signature: 'x',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/c.pem',
  } as const;

  it('covers a notification\'s fields in AWS\'s order, Subject only when present', () => {
    const message: TSnsMessage = { ...base, Type: 'Notification' };
    expect(snsCanonicalString(message)).toBe('Message\nhello\nMessageId\nm-1\nTimestamp\n2026-12-01T00:00:00.000Z\nTopicArn\narn:aws:sns:us-east-1:123456789012:t\nType\nNotification\n');
    expect(snsCanonicalString({ ...message, Subject: 'Hi' })).toContain('MessageId\nm-1\nSubject\nHi\nTimestamp');
  });

  it('covers SubscribeURL and Token for a subscription confirmation', () => {
    const message: TSnsMessage = { ...base, Type: 'SubscriptionConfirmation', SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription', Token: 'tok' };
    expect(snsCanonicalString(message)).toBe(
      'Message\nhello\nMessageId\nm-1\nSubscribeURL\nhttps://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription\nTimestamp\n2026-12-01T00:00:00.000Z\nToken\ntok\nTopicArn\narn:aws:sns:us-east-1:123456789012:t\nType\nSubscriptionConfirmation\n',
    );
  });
});
