import { describe, expect, it } from 'vitest';
import { classifySendError, classifySmtpReply, parseEnhancedStatus, transportPauseReason, type TBounceKind, type TSmtpPhase } from './deliverability.classifier.ts';

type TCase = [replyCode: number | undefined, text: string, phase: TSmtpPhase, kind: TBounceKind, classification: string];

// One or more rows per RFC 3463 class (X.0 to X.7), permanent and transient, and the replies
// that carry no enhanced code at all.
const CASES: TCase[] = [
  // X.0.0 other or undefined
  [550, '550 5.0.0 <a@example.org> rejected', 'rcpt', 'hard', '5.0.0 hard'],
  [450, '450 4.0.0 try later', 'rcpt', 'soft', '4.0.0 soft'],
  // X.1.x addressing
  [550, '550 5.1.1 <someone@example.org>: Recipient address rejected: User unknown', 'rcpt', 'hard', '5.1.1 hard'],
  [550, '550 5.1.2 bad destination system', 'rcpt', 'hard', '5.1.2 hard'],
  [553, '553 5.1.3 bad destination mailbox address syntax', 'rcpt', 'hard', '5.1.3 hard'],
  [550, '550 5.1.6 mailbox has moved', 'rcpt', 'hard', '5.1.6 hard'],
  [450, '450 4.1.1 recipient verification temporarily failed', 'rcpt', 'soft', '4.1.1 soft'],
  [553, '553 5.1.8 sender domain does not resolve', 'rcpt', 'transport', '5.1.8 transport'],
  // X.2.x mailbox status
  [550, '550 5.2.1 mailbox disabled, not accepting messages', 'rcpt', 'hard', '5.2.1 hard'],
  [552, '552 5.2.2 mailbox full', 'rcpt', 'soft', '5.2.2 soft'],
  [452, '452 4.2.2 over quota', 'rcpt', 'soft', '4.2.2 soft'],
  [552, '552 5.2.3 message length exceeds administrative limit', 'data', 'policy', '5.2.3 policy'],
  // X.3.x mail system status
  [452, '452 4.3.1 insufficient system storage', 'rcpt', 'deferred', '4.3.1 deferred'],
  [554, '554 5.3.0 other mail system problem', 'rcpt', 'soft', '5.3.0 soft'],
  [552, '552 5.3.4 message too big for system', 'data', 'policy', '5.3.4 policy'],
  // X.4.x network and routing
  [550, '550 5.4.4 unable to route', 'rcpt', 'hard', '5.4.4 hard'],
  [451, '451 4.4.1 no answer from host', 'data', 'deferred', '4.4.1 deferred'],
  [554, '554 5.4.6 routing loop detected', 'rcpt', 'soft', '5.4.6 soft'],
  // X.5.x mail delivery protocol
  [501, '501 5.5.2 syntax error in parameters', 'rcpt', 'hard', '5.5.2 hard'],
  [500, '500 5.5.1 command unrecognized', 'data', 'transport', '5.5.1 transport'],
  // X.6.x message content or media
  [554, '554 5.6.0 message content rejected', 'data', 'policy', '5.6.0 policy'],
  // X.7.x security or policy
  [550, '550 5.7.1 Message rejected as spam', 'data', 'policy', '5.7.1 policy'],
  [550, '550 5.7.1 Relaying denied', 'rcpt', 'policy', '5.7.1 policy'],
  [421, '421 4.7.0 too many connections from your IP', 'connection', 'transport', '4.7.0 transport'],
  [451, '451 4.7.1 greylisted, try again later', 'rcpt', 'policy', '4.7.1 policy'],
  // Our relay refusing us, whatever the recipient.
  [530, '530 5.7.0 Authentication required', 'mail', 'transport', '5.7.0 transport'],
  [535, '535 5.7.8 Authentication credentials invalid', 'auth', 'transport', '5.7.8 transport'],
  [554, '554 no SMTP service here', 'greeting', 'transport', '554 transport'],
  [554, '554 5.7.1 your IP is blocklisted', 'connection', 'transport', '5.7.1 transport'],
  [421, '421 service not available, closing transmission channel', 'connection', 'transport', '421 transport'],
  [421, '421 shutting down', 'data', 'transport', '421 transport'],
  // No enhanced code: the reply code and phase decide.
  [550, '550 no such user here', 'rcpt', 'hard', '550 hard'],
  [552, '552 requested mail action aborted: exceeded storage allocation', 'rcpt', 'soft', '552 soft'],
  [554, '554 transaction failed', 'rcpt', 'policy', '554 policy'],
  [550, '550 message refused', 'data', 'policy', '550 policy'],
  [451, '451 local error in processing', 'data', 'deferred', '451 deferred'],
  [550, '550 sender rejected', 'mail', 'transport', '550 transport'],
  [451, '451 try again', 'mail', 'deferred', '451 deferred'],
];

describe('classifySmtpReply', () => {
  it.each(CASES)('%s "%s" at %s is %s', (replyCode, text, phase, kind, classification) => {
    const result = classifySmtpReply({ replyCode, text, phase });
    expect(result.kind).toBe(kind);
    expect(result.classification).toBe(classification);
  });

  it('never carries the server text, which quotes the address, into the classification', () => {
    const result = classifySmtpReply({ replyCode: 550, text: '550 5.1.1 <someone@example.org> unknown', phase: 'rcpt' });
    expect(result.classification).not.toContain('@');
    expect(result.classification).toMatch(/^[\d.]+ [a-z]+$/);
  });

  it('reads a DSN Status field as a report about the recipient', () => {
    expect(classifySmtpReply({ enhancedStatus: '5.1.1', phase: 'report' })).toMatchObject({ kind: 'hard', isPermanent: true });
    expect(classifySmtpReply({ enhancedStatus: '4.4.7', phase: 'report' })).toMatchObject({ kind: 'soft', isPermanent: false });
    expect(classifySmtpReply({ enhancedStatus: '5.7.1', phase: 'report' }).kind).toBe('policy');
  });

  it('lets the enhanced code decide permanence over the reply code', () => {
    expect(classifySmtpReply({ replyCode: 550, text: '550 4.2.2 full', phase: 'rcpt' }).isPermanent).toBe(false);
  });
});

describe('parseEnhancedStatus', () => {
  it.each([
    ['550 5.1.1 user unknown', '5.1.1'],
    ['Status: 5.01.001', '5.1.1'],
    ['smtp; 550 no code here', undefined],
    ['version 1.2.3 is not a status', undefined],
  ])('reads %j as %j', (text, status) => {
    expect(parseEnhancedStatus(text)).toBe(status);
  });
});

describe('classifySendError', () => {
  it('maps the command nodemailer names to the SMTP phase', () => {
    expect(classifySendError({ responseCode: 550, response: '550 5.1.1 unknown', command: 'RCPT TO' }).kind).toBe('hard');
    expect(classifySendError({ responseCode: 550, response: '550 5.5.2 bad', command: 'DATA' }).kind).toBe('transport');
    expect(classifySendError({ responseCode: 535, response: '535 nope', command: 'AUTH PLAIN' }).kind).toBe('transport');
    expect(classifySendError({ responseCode: 554, response: '554 go away', command: 'CONN' }).kind).toBe('transport');
  });

  it('treats a failure with no reply as deferred, and an authentication failure as transport', () => {
    expect(classifySendError({ code: 'ECONNECTION', message: 'connect ECONNREFUSED' })).toMatchObject({ kind: 'deferred', classification: 'network deferred' });
    expect(classifySendError({ code: 'EAUTH' })).toMatchObject({ kind: 'transport', classification: 'auth transport' });
  });
});

describe('transportPauseReason', () => {
  it('says what the relay answered and what to check, without the server text', () => {
    const reason = transportPauseReason(classifySendError({ responseCode: 535, response: '535 5.7.8 <user@example.org> bad credentials', command: 'AUTH PLAIN' }));
    expect(reason).toBe('The SMTP relay refused to take mail (5.7.8 transport). Check the user and password in SMTP_URL, then resume the run. No subscriber was counted as bounced.');
    expect(transportPauseReason(classifySmtpReply({ replyCode: 553, text: '553 5.1.8 sender rejected', phase: 'mail' }))).toContain('Check MAIL_FROM and BOUNCE_DOMAIN');
    expect(transportPauseReason(classifySmtpReply({ replyCode: 421, text: '421 too busy', phase: 'connection' }))).toContain('Check the SMTP relay and its limits');
  });
});
