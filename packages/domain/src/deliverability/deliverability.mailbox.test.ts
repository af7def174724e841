import { deliveries, subscribers, suppressions } from '@paperboy/db';
import { startPrivateDovecot, useTestContext, type TPrivateDovecot } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollBounceMailbox, type TMailboxSettings } from './deliverability.mailbox.ts';
import { parseMailboxReport } from './deliverability.reports.ts';
import { arfReport, dsnReport } from './deliverability.test-reports.ts';
import { FIXTURE_SECRET, insertRunWithDeliveries, insertSubscriber } from './deliverability.test-fixtures.ts';
import { verpAddress } from './deliverability.verp.ts';

const bounceDomain = 'bounces.paperboy.test';
const settings = { secretKey: FIXTURE_SECRET, bounceDomain, softBounceLimit: 3 };

describe('the bounce mailbox, read over IMAP from a real dovecot', () => {
  const context = useTestContext();
  let dovecot: TPrivateDovecot;
  let mailbox: TMailboxSettings;

  beforeAll(async () => {
    dovecot = await startPrivateDovecot();
    mailbox = { host: dovecot.host, port: dovecot.port, secure: false, user: dovecot.user, password: dovecot.password, mailbox: 'INBOX', processedMailbox: 'Processed' };
  });
  afterAll(async () => {
    await dovecot?.close();
  });

  async function suppressionOf(subscriberId: string) {
    const [row] = await context.database.db.select().from(subscribers).where(eq(subscribers.id, subscriberId));
    const [suppression] = await context.database.db.select().from(suppressions).where(eq(suppressions.emailHash, row!.emailHash));
    return { subscriber: row!, suppression };
  }

  it('applies DSNs and ARF complaints once, files them away, and leaves what it cannot read', async () => {
    const db = context.database.db;
    const hard = await insertSubscriber({ db, email: 'gone@example.org' });
    const soft = await insertSubscriber({ db, email: 'full@example.org' });
    const complainer = await insertSubscriber({ db, email: 'angry@example.org' });
    const { deliveries: [toHard, toSoft, toComplainer] } = await insertRunWithDeliveries({ db, subscriberIds: [hard.id, soft.id, complainer.id] });
    const verp = (deliveryId: string) => verpAddress({ deliveryId, secretKey: FIXTURE_SECRET, bounceDomain });

    // Tied by VERP.
    await dovecot.append(dsnReport({ verp: verp(toHard!.id), recipient: 'gone@example.org', messageId: '<unrelated@elsewhere>', status: '5.1.1', reply: '550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown' }));
    // No VERP (an old message, or a relay that rewrote the envelope): tied by the original Message-ID.
    await dovecot.append(dsnReport({ verp: 'digest@paperboy.test', recipient: 'full@example.org', messageId: toSoft!.messageId!, status: '5.2.2', reply: '552 5.2.2 Mailbox full' }));
    // A VERP address whose MAC was tampered with is not believed: nothing matches.
    await dovecot.append(dsnReport({ verp: verp(toComplainer!.id).replace(/\.[0-9a-f]/, '.x'), recipient: 'angry@example.org', messageId: '<none@elsewhere>', status: '5.1.1', reply: '550 5.1.1 unknown' }));
    await dovecot.append(arfReport({ verp: verp(toComplainer!.id), recipient: 'angry@example.org', messageId: toComplainer!.messageId! }));
    await dovecot.append('From: someone@example.net\r\nTo: bounces@paperboy.test\r\nSubject: out of office\r\n\r\nI am away until Monday.\r\n');

    const first = await pollBounceMailbox({ db, mailbox, settings });
    expect(first.processed.map(({ outcome, classification }) => ({ outcome, classification }))).toEqual([
      { outcome: 'bounce-recorded', classification: '5.1.1 hard' },
      { outcome: 'bounce-recorded', classification: '5.2.2 soft' },
      { outcome: 'unmatched' },
      { outcome: 'complaint-recorded', classification: 'complaint abuse' },
    ]);
    expect(first.unparseable).toEqual([{ uid: expect.any(Number) as number, why: 'not a multipart/report' }]);
    // What the worker logs holds no address.
    expect(JSON.stringify(first)).not.toContain('@');

    expect((await suppressionOf(hard.id)).suppression).toMatchObject({ reason: 'hard_bounce', source: 'dsn', classification: '5.1.1 hard' });
    expect((await suppressionOf(soft.id)).suppression).toBeUndefined();
    const [softDelivery] = await db.select().from(deliveries).where(eq(deliveries.id, toSoft!.id));
    expect(softDelivery!.bounceKind).toBe('soft');
    const angry = await suppressionOf(complainer.id);
    expect(angry.subscriber.status).toBe('unsubscribed');
    expect(angry.suppression).toMatchObject({ reason: 'complaint', source: 'arf' });

    expect(await dovecot.messages('Processed')).toHaveLength(4);
    const left = await dovecot.messages('INBOX');
    expect(left).toHaveLength(1);
    expect(left[0]!.keywords).toContain('$PaperboyUnparseable');

    // The next poll finds nothing new: the unreadable message is not read again every poll.
    expect(await pollBounceMailbox({ db, mailbox, settings })).toEqual({ processed: [], unparseable: [] });
  });

  it('applies a report that is read again (moved back after a crash) without counting it twice', async () => {
    const db = context.database.db;
    const subscriber = await insertSubscriber({ db, email: 'twice@example.org' });
    const { deliveries: [delivery] } = await insertRunWithDeliveries({ db, subscriberIds: [subscriber.id] });
    const report = dsnReport({ verp: verpAddress({ deliveryId: delivery!.id, secretKey: FIXTURE_SECRET, bounceDomain }), recipient: 'twice@example.org', messageId: '<x@y>', status: '4.2.2', reply: '452 4.2.2 over quota' });
    await dovecot.append(report);
    await dovecot.append(report);
    const poll = await pollBounceMailbox({ db, mailbox, settings });
    expect(poll.processed.map((item) => item.outcome)).toEqual(['bounce-recorded', 'duplicate']);
    const [row] = await db.select().from(subscribers).where(eq(subscribers.id, subscriber.id));
    expect(row!.bounceCount).toBe(1);
  });
});

describe('parseMailboxReport', () => {
  it('reads a delayed DSN as not a failure and refuses a report with no valid Status', async () => {
    const delayed = await parseMailboxReport(Buffer.from(dsnReport({ verp: 'a@b.test', recipient: 'c@d.test', messageId: '<m@x>', status: '4.4.7', reply: '451 4.4.7 later', action: 'delayed' })));
    expect(delayed).toMatchObject({ type: 'dsn', recipients: [{ action: 'delayed', status: '4.4.7', replyCode: 451 }] });
    const broken = await parseMailboxReport(Buffer.from(dsnReport({ verp: 'a@b.test', recipient: 'c@d.test', messageId: '<m@x>', status: 'five', reply: '550 no' })));
    expect(broken).toEqual({ type: 'unparseable', why: 'a recipient block lacks a valid Action or Status' });
  });

  it('reads an ARF report with its feedback type, VERP sender and original Message-ID', async () => {
    const report = await parseMailboxReport(Buffer.from(arfReport({ verp: 'bounces+ab.cd@x.test', recipient: 'c@d.test', messageId: '<digest-1@paperboy.test>', feedbackType: 'not-spam' })));
    expect(report).toMatchObject({ type: 'arf', feedbackType: 'not-spam', refs: { originalMessageId: '<digest-1@paperboy.test>' } });
    expect((report as { refs: { verpCandidates: string[] } }).refs.verpCandidates).toContain('bounces+ab.cd@x.test');
  });
});
