import { consentEvents, keywords, paperKeywords, papers, subscriberKeywords, subscribers, topics, type TDb } from '@paperboy/db';
import { lockWaitOrSettled, useTestContext } from '@paperboy/testing';
import { eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { removeExpiredSignups } from './subscriptions.cleanup.ts';
import { createSubscribersRepository } from './subscriptions.repository.ts';
import { signup } from './subscriptions.usecases.ts';

const SECRET_KEY = 'cleanup-test-secret-key-0123456789abcdef';
const DAY_MS = 86_400_000;
const NOW = new Date();
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS);

describe('removeExpiredSignups', () => {
  const context = useTestContext();

  async function signUp(email: string, phrases: string[], { createdDaysAgo }: { createdDaysAgo: number }) {
    const db = context.database.db;
    await signup({
      db,
      secretKey: SECRET_KEY,
      confirmationResendMs: 600_000,
      enqueueEmail: async () => {},
      input: { email, topics: ['llms'], keywords: phrases, frequency: 'weekly', digestSize: 10 },
      now: daysAgo(createdDaysAgo),
    });
    const [row] = await db.update(subscribers).set({ createdAt: daysAgo(createdDaysAgo) }).where(eq(subscribers.email, email)).returning();
    return row!.id;
  }

  it('removes a never-confirmed signup whose link expired, with its links, events and orphaned phrases; keeps everyone else', async () => {
    const db = context.database.db;
    await db.insert(topics).values({ slug: 'llms', name: 'Large language models', description: 'LLMs', terms: [{ term: 'LLM', weight: 1 }] });
    const expired = await signUp('expired@example.org', ['orphan phrase', 'shared phrase'], { createdDaysAgo: 8 });
    const recent = await signUp('recent@example.org', [], { createdDaysAgo: 3 });
    const resent = await signUp('resent@example.org', [], { createdDaysAgo: 10 });
    await db.update(subscribers).set({ lastConfirmationSentAt: daysAgo(2) }).where(eq(subscribers.id, resent));
    const confirmed = await signUp('confirmed@example.org', ['shared phrase'], { createdDaysAgo: 30 });
    await db.update(subscribers).set({ status: 'confirmed', confirmedAt: daysAgo(29) }).where(eq(subscribers.id, confirmed));
    // Confirmed once, unsubscribed, then signed up again and never confirmed that: history is evidence.
    const returning = await signUp('returning@example.org', [], { createdDaysAgo: 60 });
    await createSubscribersRepository({ db }).recordConsent({ subscriberId: returning, kind: 'confirm', occurredAt: daysAgo(59) });

    const [paper] = await db.insert(papers).values({ arxivId: '2612.00001', title: 'A paper', abstract: 'About things.', source: 'test' }).returning();
    const phraseRows = await db.select().from(keywords);
    await db.insert(paperKeywords).values(phraseRows.map((row) => ({ paperId: paper!.id, keywordId: row.id, score: 0.5 })));

    expect(await removeExpiredSignups({ db, confirmTokenTtlDays: 7, now: NOW })).toEqual({ removedSubscribers: 1, droppedKeywords: 1 });

    const left = await db.select({ id: subscribers.id }).from(subscribers);
    expect(left.map((row) => row.id).sort()).toEqual([recent, resent, confirmed, returning].sort());
    expect(await db.select().from(consentEvents).where(eq(consentEvents.subscriberId, expired))).toEqual([]);
    expect(await db.select().from(subscriberKeywords).where(eq(subscriberKeywords.subscriberId, expired))).toEqual([]);
    const phrases = await db.select({ phrase: keywords.phrase, id: keywords.id }).from(keywords);
    expect(phrases.map((row) => row.phrase)).toEqual(['shared phrase']);
    const matches = await db.select().from(paperKeywords);
    expect(matches.map((row) => row.keywordId)).toEqual([phrases[0]!.id]);

    // A second pass finds nothing more to do.
    expect(await removeExpiredSignups({ db, confirmTokenTtlDays: 7, now: NOW })).toEqual({ removedSubscribers: 0, droppedKeywords: 0 });
  });

  it('the consent log still refuses to lose the events of anyone who ever agreed to anything, even inside the clean-up', async () => {
    const db = context.database.db;
    const inCleanup = (ids: string[]) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`set local paperboy.removing_expired_signups = 'on'`);
        await tx.delete(consentEvents).where(inArray(consentEvents.subscriberId, ids));
      });
    const [returning] = await db.select().from(subscribers).where(eq(subscribers.email, 'returning@example.org'));
    await expect(inCleanup([returning!.id])).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/append-only/) as unknown },
    });
    const [confirmed] = await db.select().from(subscribers).where(eq(subscribers.email, 'confirmed@example.org'));
    await expect(inCleanup([confirmed!.id])).rejects.toMatchObject({ cause: { message: expect.stringMatching(/append-only/) as unknown } });
    // Outside the clean-up, not even a pending signup's event may go.
    const [recent] = await db.select().from(subscribers).where(eq(subscribers.email, 'recent@example.org'));
    await expect(db.delete(consentEvents).where(eq(consentEvents.subscriberId, recent!.id))).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/append-only/) as unknown },
    });
    expect(Number((await db.execute<{ n: string }>(sql`select count(*) as n from consent_events`)).rows[0]!.n)).toBeGreaterThan(0);
  });
});

describe('removeExpiredSignups beside signups linking the same phrase', () => {
  const context = useTestContext();

  /** Runs `work` in a transaction kept open until the returned `release` is called. */
  async function holdOpen(work: (tx: TDb) => Promise<unknown>) {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let isHeld = () => {};
    const held = new Promise<void>((resolve) => (isHeld = resolve));
    const done = context.database.db.transaction(async (tx) => {
      await work(tx);
      isHeld();
      await released;
    });
    await held;
    return { release: async () => (release(), await done) };
  }

  it('a phrase a signup is linking right now is skipped: neither deleted nor cascaded away from the new link', async () => {
    const { db, pool } = context.database;
    await db.insert(keywords).values({ phrase: 'linked right now' });
    // A signup mid-transaction: its subscriber and its link to the phrase are not committed yet.
    const signupInFlight = await holdOpen(async (tx) => {
      const [subscriber] = await tx.insert(subscribers).values({ email: 'in-flight@example.org', emailHash: 'in-flight' }).returning();
      await createSubscribersRepository({ db: tx }).replaceKeywords({ subscriberId: subscriber!.id, phrases: ['linked right now'] });
    });
    const sweep = removeExpiredSignups({ db, confirmTokenTtlDays: 7, now: NOW });
    const first = await lockWaitOrSettled({ pool, work: sweep });
    await signupInFlight.release();
    expect(first).toBe('settled');
    expect(await sweep).toEqual({ removedSubscribers: 0, droppedKeywords: 0 });
    const links = await db.select().from(subscriberKeywords).innerJoin(keywords, eq(keywords.id, subscriberKeywords.keywordId));
    expect(links.map((row) => row.keywords.phrase)).toEqual(['linked right now']);
  });

  it('a signup choosing a phrase the sweep is deleting waits for it, then links the phrase afresh instead of failing', async () => {
    const { db, pool } = context.database;
    await db.insert(topics).values({ slug: 'llms', name: 'Large language models', description: 'LLMs', terms: [{ term: 'LLM', weight: 1 }] });
    await db.insert(keywords).values({ phrase: 'deleted right now' });
    // The sweep mid-transaction: the unheld phrase is deleted, not committed yet.
    const sweepInFlight = await holdOpen((tx) => tx.delete(keywords).where(eq(keywords.phrase, 'deleted right now')));
    const signingUp = signup({
      db,
      secretKey: SECRET_KEY,
      confirmationResendMs: 600_000,
      enqueueEmail: async () => {},
      input: { email: 'chooser@example.org', topics: ['llms'], keywords: ['deleted right now'], frequency: 'weekly', digestSize: 10 },
      now: NOW,
    });
    const first = await lockWaitOrSettled({ pool, work: signingUp });
    await sweepInFlight.release();
    expect(first).toBe('waiting');
    await signingUp;
    const [subscriber] = await db.select().from(subscribers).where(eq(subscribers.email, 'chooser@example.org'));
    expect(await createSubscribersRepository({ db }).getChoices({ subscriberId: subscriber!.id })).toMatchObject({ keywords: ['deleted right now'] });
  });
});
