import { describe, expect, it } from 'vitest';
import { isAllowedSnsUrl, snsCanonicalString, type TSnsMessage } from './deliverability.sns.ts';

describe('SNS signing certificate URLs', () => {
  it.each([
    ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem', true],
    ['https://amazonaws.com/cert.pem', true],
    ['http://sns.us-east-1.amazonaws.com/cert.pem', false],
    ['https://sns.us-east-1.amazonaws.com.evil.example/cert.pem', false],
    ['https://evilamazonaws.com/cert.pem', false],
    ['https://user:pass@sns.us-east-1.amazonaws.com/cert.pem', false],
    ['not a url', false],
  ])('%s is allowed: %s', (url, isAllowed) => {
    expect(isAllowedSnsUrl(url, 'amazonaws.com')).toBe(isAllowed);
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
