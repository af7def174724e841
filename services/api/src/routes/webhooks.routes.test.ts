import { execFileSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subscribers, suppressions } from '@paperboy/db';
import { hashEmail, snsCanonicalString, type TSnsMessage } from '@paperboy/domain';
import { configFor, useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';

const SECRET_KEY = 'webhook-test-secret-key-0123456789abcdef';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:paperboy-ses';
const POSTMARK = { user: 'postmark', password: 'postmark-hook-password-123' };

// Payloads as the providers document them (AWS SES "Examples of notifications"; Postmark
// "Bounce webhook" and "Spam complaint webhook"), with the addresses of this test.
const sesBounce = (email: string) => ({
  notificationType: 'Bounce',
  bounce: {
    bounceType: 'Permanent',
    reportingMTA: 'dns; email.example.com',
    bouncedRecipients: [{ emailAddress: email, status: '5.1.1', action: 'failed', diagnosticCode: `smtp; 550 5.1.1 <${email}>... User` }],
    bounceSubType: 'General',
    timestamp: '2016-01-27T14:59:38.237Z',
    feedbackId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000',
    remoteMtaIp: '127.0.2.0',
  },
  mail: {
    timestamp: '2016-01-27T14:59:38.237Z',
    source: 'john@example.com',
    sourceArn: 'arn:aws:ses:us-east-1:888888888888:identity/example.com',
    sendingAccountId: '123456789012',
    messageId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000',
    destination: [email],
    headersTruncated: false,
    commonHeaders: { from: ['John Doe <john@example.com>'], to: [email], messageId: 'custom-message-ID', subject: 'Hello' },
  },
});
const sesComplaint = (email: string) => ({
  notificationType: 'Complaint',
  complaint: {
    userAgent: 'AnyCompany Feedback Loop (V0.01)',
    complainedRecipients: [{ emailAddress: email }],
    complaintFeedbackType: 'abuse',
    arrivalDate: '2016-01-27T14:59:38.237Z',
    timestamp: '2016-01-27T14:59:38.237Z',
    feedbackId: '000001378603177f-18c07c78-fa81-4a58-9dd1-fedc3cb8f49a-000000',
  },
  mail: { timestamp: '2016-01-27T14:59:38.237Z', source: 'john@example.com', messageId: '000001378603177f-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000', destination: [email] },
});
const postmark = (recordType: 'Bounce' | 'SpamComplaint', email: string) => ({
  RecordType: recordType,
  MessageStream: 'outbound',
  ID: 42,
  Type: recordType === 'Bounce' ? 'HardBounce' : 'SpamComplaint',
  TypeCode: recordType === 'Bounce' ? 1 : 512,
  Name: recordType === 'Bounce' ? 'Hard bounce' : 'Spam complaint',
  Tag: 'Test',
  MessageID: '883953f4-6105-42a2-a16a-77a8eac79483',
  Metadata: { a_key: 'a_value' },
  ServerID: 23,
  Description: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).',
  Details: recordType === 'Bounce' ? 'smtp;550 5.1.1 The email account that you tried to reach does not exist.' : 'Test spam complaint details',
  Email: email,
  From: 'sender@example.com',
  BouncedAt: '2019-11-05T16:33:54.9070259Z',
  DumpAvailable: true,
  Inactive: true,
  CanActivate: true,
  Subject: 'Test subject',
});

describe('bounce and complaint webhooks', () => {
  const context = useTestContext();
  let app: Awaited<ReturnType<typeof buildApp>>;
  let certServer: Server;
  let dir: string;
  let key: string;
  let certUrl: string;
  const subscribeHits: string[] = [];

  beforeAll(async () => {
    // A certificate for 127.0.0.1 that both serves the local https "SNS" and signs its messages.
    dir = mkdtempSync(join(tmpdir(), 'paperboy-sns-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    certServer = createServer({ key, cert }, (request, response) => {
      if (request.url === '/SimpleNotificationService-test.pem') return response.end(cert);
      if (request.url?.startsWith('/?Action=ConfirmSubscription')) {
        subscribeHits.push(request.url);
        return response.end('<ConfirmSubscriptionResponse/>');
      }
      response.statusCode = 404;
      response.end();
    });
    await new Promise<void>((resolve) => certServer.listen(0, '127.0.0.1', resolve));
    const { port } = certServer.address() as AddressInfo;
    certUrl = `https://127.0.0.1:${port}/SimpleNotificationService-test.pem`;
    const config = configFor(context, {
      SECRET_KEY,
      SES_SNS_TOPIC_ARNS: TOPIC,
      SES_SNS_CERT_HOST: '127.0.0.1',
      SES_SNS_CERT_CA: cert,
      POSTMARK_WEBHOOK_USER: POSTMARK.user,
      POSTMARK_WEBHOOK_PASSWORD: POSTMARK.password,
    });
    app = await buildApp({ config, logger: false });
  });
  afterAll(async () => {
    await app?.close();
    certServer?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function subscriber(email: string) {
    const [row] = await context.database.db
      .insert(subscribers)
      .values({ email, emailHash: hashEmail({ secretKey: SECRET_KEY, email }), status: 'confirmed', confirmedAt: new Date() })
      .returning();
    return row!;
  }

  async function state(emailHash: string) {
    const [row] = await context.database.db.select().from(subscribers).where(eq(subscribers.emailHash, emailHash));
    const [suppression] = await context.database.db.select().from(suppressions).where(eq(suppressions.emailHash, emailHash));
    return { status: row?.status, suppression };
  }

  function snsMessage(fields: Partial<TSnsMessage> & Pick<TSnsMessage, 'Type' | 'Message'>, version: '1' | '2' = '1'): TSnsMessage {
    const unsigned = { MessageId: `msg-${Math.random()}`, TopicArn: TOPIC, Timestamp: new Date().toISOString(), SignatureVersion: version, SigningCertURL: certUrl, Signature: '', ...fields };
    const signer = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
    signer.update(snsCanonicalString(unsigned));
    return { ...unsigned, Signature: signer.sign(key, 'base64') };
  }

  const postSns = (message: unknown) =>
    app.inject({ method: 'POST', url: '/webhooks/ses', headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' }, payload: JSON.stringify(message) });

  it('confirms an SNS subscription by visiting its SubscribeURL', async () => {
    const subscribeUrl = `${new URL(certUrl).origin}/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=2336412f37`;
    const response = await postSns(snsMessage({ Type: 'SubscriptionConfirmation', Message: 'You have chosen to subscribe to the topic.', SubscribeURL: subscribeUrl, Token: '2336412f37' }));
    expect(response.statusCode).toBe(200);
    expect(subscribeHits).toHaveLength(1);
  });

  it('applies a signed SES bounce (SignatureVersion 1) and complaint (SignatureVersion 2)', async () => {
    const bounced = await subscriber('jane@example.com');
    const complainer = await subscriber('richard@example.com');
    const bounce = await postSns(snsMessage({ Type: 'Notification', Message: JSON.stringify(sesBounce('jane@example.com')) }, '1'));
    expect(bounce.json()).toEqual({ outcomes: ['suppressed'] });
    expect((await state(bounced.emailHash)).suppression).toMatchObject({ reason: 'hard_bounce', classification: '5.1.1 hard', source: 'webhook:ses' });

    const complaint = await postSns(snsMessage({ Type: 'Notification', Message: JSON.stringify(sesComplaint('richard@example.com')) }, '2'));
    expect(complaint.json()).toEqual({ outcomes: ['unsubscribed'] });
    expect(await state(complainer.emailHash)).toMatchObject({ status: 'unsubscribed', suppression: { reason: 'complaint', source: 'webhook:ses' } });
  });

  it('refuses with 401 an SNS message that is tampered with, unsigned, or signed by a certificate off the SNS host; nothing changes', async () => {
    const target = await subscriber('mary@example.com');
    const signed = snsMessage({ Type: 'Notification', Message: JSON.stringify(sesBounce('someone-else@example.com')) });
    const tampered = { ...signed, Message: JSON.stringify(sesBounce('mary@example.com')) };
    const unsigned = { ...snsMessage({ Type: 'Notification', Message: JSON.stringify(sesBounce('mary@example.com')) }), Signature: Buffer.from('nope').toString('base64') };
    const offHost = snsMessage({ Type: 'Notification', Message: JSON.stringify(sesBounce('mary@example.com')), SigningCertURL: 'https://sns.evil.example/cert.pem' });
    const plainHttp = snsMessage({ Type: 'Notification', Message: JSON.stringify(sesBounce('mary@example.com')), SigningCertURL: certUrl.replace('https:', 'http:') });
    for (const message of [tampered, unsigned, offHost, plainHttp]) {
      const response = await postSns(message);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'webhooks.signature_invalid' } });
    }
    expect(await state(target.emailHash)).toEqual({ status: 'confirmed', suppression: undefined });
  });

  it('with SES_SNS_CERT_HOST unset, refuses with 401 a certificate hosted on S3, without fetching it', async () => {
    const target = await subscriber('martha@example.com');
    const amazonOnly = await buildApp({ config: configFor(context, { SECRET_KEY, SES_SNS_TOPIC_ARNS: TOPIC }), logger: false });
    try {
      const forged = snsMessage({ Type: 'Notification', Message: JSON.stringify(sesComplaint('martha@example.com')), SigningCertURL: 'https://anybucket.s3.amazonaws.com/cert.pem' });
      const response = await amazonOnly.inject({ method: 'POST', url: '/webhooks/ses', headers: { 'content-type': 'text/plain; charset=UTF-8' }, payload: JSON.stringify(forged) });
      expect(response.statusCode).toBe(401);
      expect(await state(target.emailHash)).toEqual({ status: 'confirmed', suppression: undefined });
    } finally {
      await amazonOnly.close();
    }
  });

  it('refuses a validly signed message from a topic it was not told to accept, and a body that is not an SNS message', async () => {
    const otherTopic = await postSns(snsMessage({ Type: 'Notification', Message: '{}', TopicArn: 'arn:aws:sns:us-east-1:123456789012:someone-else' }));
    expect(otherTopic.statusCode).toBe(403);
    const invalid = await postSns({ Type: 'Notification', Message: 'x' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json<{ error: { details: { field: string }[] } }>().error.details.map((detail) => detail.field)).toContain('SigningCertURL');
  });

  it('takes Postmark bounces and spam complaints only with its basic-auth credentials', async () => {
    const bounced = await subscriber('john@example.com');
    const complainer = await subscriber('spam-clicker@example.com');
    const wrong = `Basic ${Buffer.from(`${POSTMARK.user}:wrong-password-000000`).toString('base64')}`;
    for (const headers of [{}, { authorization: wrong }]) {
      const response = await app.inject({ method: 'POST', url: '/webhooks/postmark', headers, payload: postmark('Bounce', 'john@example.com') });
      expect(response.statusCode).toBe(401);
    }
    expect((await state(bounced.emailHash)).suppression).toBeUndefined();

    const authorization = `Basic ${Buffer.from(`${POSTMARK.user}:${POSTMARK.password}`).toString('base64')}`;
    const bounce = await app.inject({ method: 'POST', url: '/webhooks/postmark', headers: { authorization }, payload: postmark('Bounce', 'john@example.com') });
    expect(bounce.json()).toEqual({ outcomes: ['suppressed'] });
    expect((await state(bounced.emailHash)).suppression).toMatchObject({ reason: 'hard_bounce', classification: '5.1.1 hard', source: 'webhook:postmark' });
    const complaint = await app.inject({ method: 'POST', url: '/webhooks/postmark', headers: { authorization }, payload: postmark('SpamComplaint', 'spam-clicker@example.com') });
    expect(complaint.json()).toEqual({ outcomes: ['unsubscribed'] });
    expect((await state(complainer.emailHash)).status).toBe('unsubscribed');

    // The example on Postmark's webhooks page, which has no RecordType, is a bounce all the same.
    const legacy = await subscriber('legacy@example.com');
    const withoutRecordType: Record<string, unknown> = { ...postmark('Bounce', 'legacy@example.com'), Details: 'Test bounce details' };
    delete withoutRecordType.RecordType;
    delete withoutRecordType.MessageStream;
    const legacyBounce = await app.inject({ method: 'POST', url: '/webhooks/postmark', headers: { authorization }, payload: withoutRecordType });
    expect(legacyBounce.json()).toEqual({ outcomes: ['suppressed'] });
    expect((await state(legacy.emailHash)).suppression).toMatchObject({ reason: 'hard_bounce', classification: 'postmark HardBounce hard' });
  });
});
