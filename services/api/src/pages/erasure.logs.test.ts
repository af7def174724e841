import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { deliveries, papers, paperTopics, subscribers, topics } from '@paperboy/db';
import { feedbackLinks, recordComplaint } from '@paperboy/domain';
import { createLogger } from '@paperboy/logger';
import { configFor, startSmtpCatcher, type TSmtpCatcher, useTestContext } from '@paperboy/testing';
import { createWorkerRuntime, type TWorkerRuntime } from '@paperboy/worker';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../app.ts';
import { cookieHeader, signIn } from '../admin/admin.test-support.ts';
import { linkIn, seedTestTopics } from './journey.support.ts';

const SECRET_KEY = 'erasure-logs-test-secret-key-0123456789abcdef';
const ADMIN_TOKEN = 'admin-token-for-erasure-logs-tests';
// Distinctive enough that any trace of it, whole, encoded or in parts, is found by a plain search.
const ADDRESS = 'Ingrid.Voss-5519@mail-forget.example.org';
const ENCODED = encodeURIComponent(ADDRESS);
const traces = [ADDRESS.toLowerCase(), ENCODED.toLowerCase(), 'ingrid.voss-5519', 'mail-forget.example.org'];
const form = (pairs: [string, string][]) => new URLSearchParams(pairs).toString();
const formHeaders = (extra: Record<string, string> = {}) => ({ 'content-type': 'application/x-www-form-urlencoded', ...extra });

function captureLines(lines: string[]): Writable {
  return new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
}

describe('erasing a subscriber the API and the worker both saw', () => {
  const context = useTestContext();
  const apiLines: string[] = [];
  const workerLines: string[] = [];
  let app: Awaited<ReturnType<typeof buildApp>>;
  let catcher: TSmtpCatcher;
  let worker: TWorkerRuntime;

  beforeAll(async () => {
    const db = context.database.db;
    await seedTestTopics(db);
    // One paper on the subscriber's topic, so the digest run has something to send.
    const [llms] = await db.select().from(topics).where(eq(topics.slug, 'llms'));
    const [paper] = await db.insert(papers).values({ arxivId: '2612.05151', title: 'Forgotten', abstract: 'An LLM paper.', authors: ['A. Author'], upvotes: 5, source: 'test' }).returning();
    await db.insert(paperTopics).values({ paperId: paper!.id, topicId: llms!.id, score: 2, matchedTerms: ['LLM'] });
    catcher = await startSmtpCatcher();
    const env = { SECRET_KEY, ADMIN_TOKEN, PUBLIC_URL: 'https://paperboy.test', LOG_LEVEL: 'trace', SMTP_URL: catcher.url };
    app = await buildApp({ config: configFor(context, env), logDestination: captureLines(apiLines) });
    worker = createWorkerRuntime({ config: configFor(context, env), logger: createLogger({ level: 'trace', name: 'worker', destination: captureLines(workerLines) }) });
    await worker.start();
  });
  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await catcher?.close();
  });

  /** Signs up through the form, confirms from the mailed link, and returns the preferences path. */
  async function signUpAndConfirm(): Promise<string> {
    const signup = await app.inject({
      method: 'POST',
      url: '/',
      payload: form([['email', ADDRESS], ['topics', 'llms'], ['keywords', 'world models'], ['frequency', 'weekly'], ['digestSize', '10']]),
      headers: formHeaders(),
    });
    expect(signup.statusCode).toBe(200);
    const [confirmation] = await catcher.waitForMessages(1);
    const confirmed = await app.inject({ method: 'POST', url: new URL(linkIn(confirmation!, 'confirm')).pathname });
    expect(confirmed.statusCode).toBeLessThan(400);
    return new URL(linkIn(confirmation!, 'preferences')).pathname;
  }

  /** The admin API and the console, each asked about the address. */
  async function adminLooksUp(): Promise<void> {
    const found = await app.inject({ method: 'GET', url: `/api/admin/subscribers?q=${ENCODED}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(found.json()).toMatchObject({ total: 1 });
    const jar = await signIn(app, ADMIN_TOKEN);
    const search = await app.inject({ method: 'GET', url: `/admin/subscribers?q=${ENCODED}`, headers: { cookie: cookieHeader(jar) } });
    expect(search.statusCode).toBe(200);
    const preview = await app.inject({ method: 'GET', url: `/admin/digests/preview?subscriber=${ENCODED}`, headers: { cookie: cookieHeader(jar) } });
    expect([200, 404]).toContain(preview.statusCode);
    expect(preview.body).not.toContain('No subscriber with that id or address.');
  }

  /** A digest the receiving server refuses, quoting the address; then a rating of one of its papers, and a complaint about it. */
  async function bouncesRatesAndComplains(subscriberId: string): Promise<void> {
    const db = context.database.db;
    catcher.respondToRecipient(() => ({ code: 550, message: `5.1.1 <${ADDRESS}>: Recipient address rejected: User unknown` }));
    const started = await app.inject({ method: 'POST', url: '/api/admin/digests', payload: { frequency: 'weekly' }, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(started.statusCode).toBe(201);
    const delivery = await vi.waitFor(
      async () => {
        const [row] = await db.select().from(deliveries).where(eq(deliveries.subscriberId, subscriberId));
        expect(row?.state).toBe('failed');
        return row!;
      },
      { timeout: 15_000, interval: 100 },
    );
    const { moreUrl } = feedbackLinks({ publicUrl: '', secretKey: SECRET_KEY, subscriberId, paperId: delivery.paperIds[0]!, runId: delivery.runId, ttlDays: 30 });
    expect((await app.inject({ method: 'POST', url: moreUrl })).statusCode).toBe(200);
    await recordComplaint({ db, subject: { subscriberId, deliveryId: delivery.id }, source: 'arf' });
  }

  it('leaves no trace of the address, plain or URL-encoded, in a dump of the database or in the API and worker logs', async () => {
    const preferencesPath = await signUpAndConfirm();
    const [subscriber] = await context.database.db.select().from(subscribers).where(eq(subscribers.email, ADDRESS.toLowerCase()));
    await adminLooksUp();
    await bouncesRatesAndComplains(subscriber!.id);

    // Requests that fail while carrying the address: their error lines are checked too.
    const refused = await app.inject({ method: 'POST', url: '/api/subscriptions', payload: { email: ADDRESS, topics: ['llms'], digestSize: 7, surplus: ADDRESS } });
    expect(refused.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: `${preferencesPath}/export` })).json()).toMatchObject({ subscriber: { email: ADDRESS.toLowerCase() } });

    const page = await app.inject({ method: 'GET', url: preferencesPath });
    expect(page.statusCode).toBe(200);
    const cookie = ([] as string[]).concat(page.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const erased = await app.inject({ method: 'POST', url: `${preferencesPath}/erase`, payload: form([['_csrf', csrf], ['confirm', 'yes']]), headers: formHeaders({ cookie }) });
    expect(erased.body).toContain('Your data was deleted');
    expect((await app.inject({ method: 'GET', url: `${preferencesPath}/export` })).statusCode).toBe(410);

    const dump = execFileSync('pg_dump', ['--no-owner', '--dbname', context.database.url], { maxBuffer: 256 * 1024 * 1024 }).toString('utf8').toLowerCase();
    // The dump is of the right database and the logs saw every request, tokens cut out.
    expect(dump).toContain(subscriber!.emailHash);
    const apiLog = apiLines.join('').toLowerCase();
    const workerLog = workerLines.join('').toLowerCase();
    for (const path of ['/api/admin/subscribers?q=[email]', '/admin/subscribers?q=[email]', '/admin/digests/preview?subscriber=[email]', '/preferences/[redacted]/erase', '/feedback/[redacted]', '/confirm/[redacted]']) {
      expect(apiLog).toContain(path);
    }
    expect(workerLog).toContain('"msg":"delivery failed"');
    expect(dump).toContain('hard_bounce');
    const token = preferencesPath.split('/')[2]!.toLowerCase();
    for (const trace of [...traces, token]) {
      expect(dump).not.toContain(trace);
      expect(apiLog).not.toContain(trace);
      expect(workerLog).not.toContain(trace);
    }
  });
});
