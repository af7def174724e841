import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig({ env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('deliverability configuration', () => {
  it('has limits by default and every mailbox and webhook off', () => {
    const { deliverability } = loadConfig({ env: {} });
    expect(deliverability).toMatchObject({ softBounceLimit: 3, runMaxHardBounceRate: 0.05, runMaxComplaintRate: 0.003, bounceDomain: undefined, imap: undefined, postmark: undefined });
    expect(deliverability.ses).toEqual({ topicArns: [], certHost: undefined, certCa: undefined });
  });

  it('reads the bounce mailbox from one URL, its user and password decoded', () => {
    const { deliverability } = loadConfig({ env: { BOUNCE_IMAP_URL: 'imaps://bounces%40paperboy.test:p%3Ass@imap.example.net', BOUNCE_IMAP_POLL_SECONDS: '60' } });
    expect(deliverability.imap).toEqual({
      host: 'imap.example.net',
      port: 993,
      secure: true,
      user: 'bounces@paperboy.test',
      password: 'p:ss',
      mailbox: 'INBOX',
      processedMailbox: 'Processed',
      pollMs: 60_000,
    });
  });

  it('names the variable when a value is refused', () => {
    expect(problemsOf({ BOUNCE_IMAP_URL: 'imap://imap.example.net' })).toEqual(['BOUNCE_IMAP_URL: must carry the user and password (imap://user:password@host:port)']);
    expect(problemsOf({ BOUNCE_IMAP_URL: 'https://imap.example.net' })[0]).toMatch(/^BOUNCE_IMAP_URL: /);
    expect(problemsOf({ RUN_MAX_COMPLAINT_RATE: '2' })).toEqual(['RUN_MAX_COMPLAINT_RATE: must be from 0 to 1']);
    expect(problemsOf({ POSTMARK_WEBHOOK_USER: 'postmark' })).toEqual(['POSTMARK_WEBHOOK_PASSWORD: POSTMARK_WEBHOOK_USER and POSTMARK_WEBHOOK_PASSWORD go together']);
    expect(problemsOf({ SES_SNS_TOPIC_ARNS: 'arn:aws:sns:us-east-1:123456789012:ok,not-an-arn' })[0]).toMatch(/^SES_SNS_TOPIC_ARNS\.1: must be SNS topic ARNs/);
    expect(problemsOf({ SES_SNS_CERT_HOST: 'amazonaws.com' })).toEqual(['SES_SNS_CERT_HOST: leave unset for Amazon SNS; a parent domain is not accepted']);
    expect(problemsOf({ SES_SNS_CERT_HOST: 'https://127.0.0.1:8443' })).toEqual(['SES_SNS_CERT_HOST: must be a single host name, without scheme, port or path']);
    expect(problemsOf({ SOFT_BOUNCE_LIMIT: '0' })).toEqual(['SOFT_BOUNCE_LIMIT: must be positive']);
  });
});
