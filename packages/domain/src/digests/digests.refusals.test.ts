import { loadConfig } from '@paperboy/config';
import { consentEvents, deliveries, digestRuns, subscribers, suppressions } from '@paperboy/db';
import { compileDigestTemplate, createMailer } from '@paperboy/email';
import { startSmtpCatcher, useTestContext, type TSmtpCatcher } from '@paperboy/testing';
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseVerpAddress, verpAddress } from '../deliverability/deliverability.verp.ts';
import { createDigestComposerFromConfig } from './digests.composer.ts';
import { sendDeliveries, TransientSendError } from './digests.sending.ts';
import { insertDigestFixture } from './digests.test-fixtures.ts';
import { createRun, startRun } from './digests.usecases.ts';

const SECRET = 'refusals-test-secret-0123456789abcdef-0123';
const config = loadConfig({ env: { NODE_ENV: 'test', PUBLIC_URL: 'https://paperboy.test', SECRET_KEY: SECRET } });
const settings = { lookbackDays: { weekly: 7, daily: 1 }, maxFailureRatio: 1 };

describe('a refused digest is classified by what the SMTP server said', () => {
  const context = useTestContext();
  let catcher: TSmtpCatcher;

  beforeEach(async () => {
    await context.database.db.execute(
      sql.raw(
        'truncate suppressions, sent_papers, deliveries, digest_runs, consent_events, subscriber_topics, subscriber_keywords, paper_topics, paper_keywords, papers, keywords, subscribers, topics restart identity cascade',
      ),
    );
  });
  afterEach(async () => {
    await catcher?.close();
  });

  /** Plans a run for ada and bob and sends its one batch through `smtpUrl` (the catcher's by default). */
  async function sendRun({ smtpUrl = catcher.url, maxAttempts = 8, returnPathFor }: { smtpUrl?: string; maxAttempts?: number; returnPathFor?: (id: string) => string } = {}) {
    const db = context.database.db;
    const fixture = await insertDigestFixture({
      db,
      topicSlugs: ['llms'],
      paperList: [{ arxivId: '2611.00001', upvotes: 3, topics: { llms: 6 } }],
      subscriberList: [
        { email: 'ada@example.org', topics: ['llms'] },
        { email: 'bob@example.org', topics: ['llms'] },
      ],
    });
    const { run } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, now: new Date(), settings });
    const deliveryIds: string[] = [];
    await startRun({ db, runId: run.id, now: new Date(), enqueueSends: async ({ deliveries: planned }) => void deliveryIds.push(...planned.map((item) => item.deliveryId)) });
    const mailer = createMailer({ smtpUrl, maxConnections: 1 });
    const composer = createDigestComposerFromConfig({ db, config, template: await compileDigestTemplate() });
    try {
      const outcome = await sendDeliveries({ db, mailer, composer, deliveryIds, leaseMs: 60_000, maxAttempts, inFlight: 4, softBounceLimit: 3, returnPathFor }).catch(
        (error: unknown) => error,
      );
      const bob = fixture.subscriberId.get('bob@example.org')!;
      return { outcome, runId: run.id, bob, rows: await db.select().from(deliveries).where(eq(deliveries.runId, run.id)) };
    } finally {
      mailer.close();
    }
  }

  const rowOf = (rows: (typeof deliveries.$inferSelect)[], subscriberId: string) => rows.find((row) => row.subscriberId === subscriberId)!;
  const bounceCount = async (subscriberId: string) =>
    (await context.database.db.select().from(subscribers).where(eq(subscribers.id, subscriberId)))[0]!.bounceCount;

  it('550 5.1.1 at RCPT: the address is suppressed at once, and only "5.1.1 hard" is stored, never the server text', async () => {
    catcher = await startSmtpCatcher();
    catcher.respondToRecipient((address) => (address === 'bob@example.org' ? { code: 550, message: '5.1.1 <bob@example.org>: Recipient address rejected' } : undefined));
    const { rows, bob } = await sendRun();
    expect(rowOf(rows, bob)).toMatchObject({ state: 'failed', lastError: '5.1.1 hard' });
    expect(rows.filter((row) => row.state === 'sent')).toHaveLength(1);
    expect(await context.database.db.select().from(suppressions)).toEqual([expect.objectContaining({ reason: 'hard_bounce' })]);
    const events = await context.database.db.select().from(consentEvents).where(eq(consentEvents.subscriberId, bob));
    expect(JSON.stringify(events)).toContain('5.1.1 hard');
    expect(JSON.stringify(events)).not.toContain('bob@example.org');
  });

  it('552 5.2.2 (mailbox full): failed and counted as a soft bounce, but the address is not suppressed', async () => {
    catcher = await startSmtpCatcher();
    catcher.respondToRecipient((address) => (address === 'bob@example.org' ? { code: 552, message: '5.2.2 Mailbox full' } : undefined));
    const { rows, bob } = await sendRun();
    expect(rowOf(rows, bob)).toMatchObject({ state: 'failed', lastError: '5.2.2 soft', bounceKind: 'soft' });
    expect(await bounceCount(bob)).toBe(1);
    expect(await context.database.db.select().from(suppressions)).toEqual([]);
  });

  it('452 4.2.2 is given back for a retry, and counts against nobody', async () => {
    catcher = await startSmtpCatcher();
    catcher.respondToRecipient((address) => (address === 'bob@example.org' ? { code: 452, message: '4.2.2 Mailbox full, try later' } : undefined));
    const first = await sendRun();
    expect(first.outcome).toBeInstanceOf(TransientSendError);
    expect((first.outcome as Error).message).not.toContain('bob@');
    expect(rowOf(first.rows, first.bob)).toMatchObject({ state: 'pending', lastError: '4.2.2 soft' });
    expect(await bounceCount(first.bob)).toBe(0);
  });

  it('452 4.2.2 on the last allowed attempt: failed, saying so, and counted as one soft bounce', async () => {
    catcher = await startSmtpCatcher();
    catcher.respondToRecipient((address) => (address === 'bob@example.org' ? { code: 452, message: '4.2.2 Mailbox full, try later' } : undefined));
    const { rows, bob } = await sendRun({ maxAttempts: 1 });
    expect(rowOf(rows, bob)).toMatchObject({ state: 'failed', lastError: 'gave up after 1 attempts: 4.2.2 soft' });
    expect(await bounceCount(bob)).toBe(1);
  });

  it('550 5.7.1 after DATA (refused as spam): failed and counted for the run, not against the subscriber', async () => {
    catcher = await startSmtpCatcher();
    catcher.respondWith(({ envelope }) => (envelope.rcptTo[0]?.address === 'bob@example.org' ? { code: 550, message: '5.7.1 Message rejected as spam' } : undefined));
    const { rows, bob } = await sendRun();
    expect(rowOf(rows, bob)).toMatchObject({ state: 'failed', lastError: '5.7.1 policy', bounceKind: 'policy' });
    expect(await bounceCount(bob)).toBe(0);
    expect(await context.database.db.select().from(suppressions)).toEqual([]);
  });

  it('535 5.7.8 at AUTH: the run pauses saying so, every row stays pending, and no subscriber is counted', async () => {
    catcher = await startSmtpCatcher({ auth: { user: 'paperboy', pass: 'right-password' } });
    const { outcome, rows, runId, bob } = await sendRun({ smtpUrl: catcher.url.replace('right-password', 'wrong-password') });
    expect(outcome).toMatchObject({ sent: 0, pausedFor: expect.stringContaining('transport') as unknown });
    const [run] = await context.database.db.select().from(digestRuns).where(eq(digestRuns.id, runId));
    expect(run).toMatchObject({ state: 'paused', pauseReason: expect.stringMatching(/^SMTP relay refused us: (5\.7\.8|535) transport$/) as unknown });
    expect(rows.map((row) => row.state)).toEqual(['pending', 'pending']);
    expect(await bounceCount(bob)).toBe(0);
    expect(catcher.messages).toHaveLength(0);
  });

  it('554 at the greeting: the run pauses the same way, nothing counted', async () => {
    catcher = await startSmtpCatcher();
    catcher.refuseGreeting({ code: 554, message: '5.3.2 No service for you' });
    const { rows, runId, bob } = await sendRun();
    const [run] = await context.database.db.select().from(digestRuns).where(eq(digestRuns.id, runId));
    expect(run?.state).toBe('paused');
    expect(run?.pauseReason).toMatch(/transport$/);
    expect(rows.map((row) => row.state)).toEqual(['pending', 'pending']);
    expect(await bounceCount(bob)).toBe(0);
  });

  it('each digest leaves under its own VERP envelope sender, which names its delivery', async () => {
    catcher = await startSmtpCatcher();
    const bounceDomain = 'bounces.paperboy.test';
    const { rows } = await sendRun({ returnPathFor: (deliveryId) => verpAddress({ deliveryId, secretKey: SECRET, bounceDomain }) });
    const messages = await catcher.waitForMessages(2);
    const named = messages.map((message) => parseVerpAddress({ address: message.envelope.from!, secretKey: SECRET, bounceDomain }));
    expect(named.sort()).toEqual(rows.map((row) => row.id).sort());
    expect(messages[0]!.parsed.from?.value[0]?.address).toBe('digest@paperboy.localhost');
  });
});
