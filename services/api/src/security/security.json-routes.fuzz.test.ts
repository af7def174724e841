import { papers, subscribers, subscriberTopics, topics } from '@paperboy/db';
import { configFor, useTestContext } from '@paperboy/testing';
import { count, sql } from 'drizzle-orm';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { seedTestTopics } from '../pages/journey.support.ts';
import { isErrorBody, recordFuzz } from './security.support.ts';

const ADMIN_TOKEN = 'fuzz-admin-token-0123456789';
const NUM_RUNS = 150;

// Values a hostile or broken client sends: any JSON, plus strings made to hurt (line breaks, markup, huge numbers).
const nasty = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('', ' ', 'a\r\nBcc: x@evil.test', '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '\u0000', 'x'.repeat(5_000), 1e308, -1, 0.5, null),
);
const validSignup = { email: 'fuzz@example.org', topics: ['llms'], keywords: ['kv cache'], frequency: 'weekly', digestSize: 10 };
// A valid body with some fields replaced, removed or added: closer to real mistakes than random JSON.
const mutatedSignup = fc
  .record({ field: fc.constantFrom('email', 'topics', 'keywords', 'frequency', 'digestSize', 'extra'), value: nasty, drop: fc.boolean() })
  .map(({ field, value, drop }) => {
    const body: Record<string, unknown> = { ...validSignup, email: `fuzz${Math.random().toString(36).slice(2)}@example.org` };
    if (drop) delete body[field];
    else body[field] = value;
    return body;
  });

describe('fuzzing every JSON route with random and malformed bodies', () => {
  const context = useTestContext();
  let app: FastifyInstance;
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

  beforeAll(async () => {
    await seedTestTopics(context.database.db);
    app = await buildApp({ config: configFor(context, { ADMIN_TOKEN, SIGNUP_RATE_LIMIT_MAX: '100000' }), logger: false });
  });
  afterAll(async () => {
    await app?.close();
  });

  const countOf = async (table: typeof subscribers | typeof topics | typeof papers) =>
    (await context.database.db.select({ value: count() }).from(table))[0]!.value;

  /** The checks every answer must pass: never a 5xx (503 only when a queue is down, which it is not here), a well-formed error that names the bad field. */
  function expectSaneAnswer(response: { statusCode: number; json: () => unknown }) {
    expect(response.statusCode).toBeLessThan(500);
    if (response.statusCode >= 400) {
      const body = response.json();
      expect(isErrorBody(body)).toBe(true);
      if (response.statusCode === 400 && isErrorBody(body) && body.error.code === 'request.invalid') {
        const details = body.error.details as { field: string }[];
        expect(details.length).toBeGreaterThan(0);
        for (const detail of details) expect(body.error.message).toContain(detail.field);
      }
    }
  }

  it('POST /api/subscriptions never answers 5xx, names the bad field, and a refused signup stores nothing', async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedSignup, nasty), async (body) => {
        cases += 1;
        const before = await countOf(subscribers);
        const response = await app.inject({ method: 'POST', url: '/api/subscriptions', payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
        expectSaneAnswer(response);
        if (response.statusCode !== 202) expect(await countOf(subscribers)).toBe(before);
      }),
      { numRuns: NUM_RUNS },
    );
    // No half-stored signup: every subscriber has an address and at least one topic.
    const { rows } = await context.database.db.execute(
      sql`select count(*)::int as n from ${subscribers} s where s.email is null or not exists (select 1 from ${subscriberTopics} st where st.subscriber_id = s.id)`,
    );
    expect(rows[0]).toEqual({ n: 0 });
    await recordFuzz({ suite: 'api: POST /api/subscriptions', runs: NUM_RUNS, cases });
  }, 120_000);

  it('the admin JSON routes never answer 5xx to any body, and a refused one changes nothing', async () => {
    const { rows: runIds } = await context.database.db.execute<{ id: string }>(sql`select gen_random_uuid()::text as id`);
    const routes = [
      { method: 'POST', url: '/api/admin/subscribers', table: subscribers },
      { method: 'POST', url: '/api/admin/topics', table: topics },
      { method: 'PUT', url: '/api/admin/topics/llms', table: topics },
      { method: 'POST', url: '/api/admin/digests', table: undefined },
      ...['pause', 'resume', 'cancel', 'retry-failed'].map((action) => ({ method: 'POST', url: `/api/admin/digests/${runIds[0]!.id}/${action}`, table: undefined })),
    ] as const;
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), nasty, async (route, body) => {
        cases += 1;
        const before = route.table ? await countOf(route.table) : 0;
        const response = await app.inject({ method: route.method, url: route.url, payload: JSON.stringify(body), headers: { ...admin, 'content-type': 'application/json' } });
        expectSaneAnswer(response);
        if (route.table && response.statusCode >= 400) expect(await countOf(route.table)).toBe(before);
      }),
      { numRuns: NUM_RUNS },
    );
    await recordFuzz({ suite: 'api: admin JSON routes', runs: NUM_RUNS, cases });
  }, 120_000);

  it('POST /api/admin/papers never answers 5xx to JSON, JSON Lines or Atom bodies, and stores only whole papers', async () => {
    const paper = fc.record(
      { arxivId: fc.oneof(fc.constantFrom('2401.01234', '2401.01235v2', 'x'), fc.string()), title: nasty, abstract: nasty, authors: nasty, upvotes: nasty },
      { requiredKeys: [] },
    );
    const bodies = fc.oneof(
      fc.array(paper, { maxLength: 4 }).map((items) => ({ type: 'application/json', body: JSON.stringify(items) })),
      fc.array(paper, { maxLength: 4 }).map((items) => ({ type: 'application/x-ndjson', body: items.map((item) => JSON.stringify(item)).join('\n') })),
      fc.array(fc.record({ paper }), { maxLength: 3 }).map((items) => ({ type: 'application/json', body: JSON.stringify(items) })),
      fc.array(fc.record({ id: fc.string(), title: fc.string(), summary: fc.string() }), { maxLength: 3 }).map((entries) => ({
        type: 'application/atom+xml',
        body: `<feed xmlns="http://www.w3.org/2005/Atom">${entries.map((entry) => `<entry><id>${entry.id}</id><title>${entry.title}</title><summary>${entry.summary}</summary></entry>`).join('')}</feed>`,
      })),
      fc.string().map((body) => ({ type: 'application/json', body })),
    );
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(bodies, async ({ type, body }) => {
        cases += 1;
        const response = await app.inject({ method: 'POST', url: '/api/admin/papers', payload: body, headers: { ...admin, 'content-type': type } });
        expectSaneAnswer(response);
        if (response.statusCode === 400) {
          const { error } = response.json<{ error: { code: string; details?: { index: number; reason: string }[] } }>();
          if (error.code === 'papers.invalid') for (const item of error.details ?? []) expect(item.reason).not.toBe('');
        }
      }),
      { numRuns: NUM_RUNS },
    );
    const { rows } = await context.database.db.execute(
      sql`select count(*)::int as n from ${papers} where title = '' or abstract = '' or arxiv_id !~ '^[0-9]{4}\\.[0-9]{4,5}$'`,
    );
    expect(rows[0]).toEqual({ n: 0 });
    await recordFuzz({ suite: 'api: POST /api/admin/papers', runs: NUM_RUNS, cases });
  }, 120_000);
});
