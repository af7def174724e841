import { insertDigestFixture } from '@paperboy/domain/test-fixtures';
import { subscriberTopics } from '@paperboy/db';
import { configFor, useTestContext } from '@paperboy/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';

const ADMIN_TOKEN = 'admin-token-for-digest-tests';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('admin digest routes', () => {
  const context = useTestContext();
  let app: FastifyInstance;
  let fixture: Awaited<ReturnType<typeof insertDigestFixture>>;

  beforeAll(async () => {
    fixture = await insertDigestFixture({
      db: context.database.db,
      topicSlugs: ['llms'],
      paperList: [{ arxivId: '2611.00001', upvotes: 12, title: 'Speculative <b>decoding</b> at scale', topics: { llms: 1 } }],
      subscriberList: [
        { email: 'ada@example.org', topics: ['llms'] },
        { email: 'pending@example.org', status: 'pending', topics: ['llms'] },
      ],
    });
    app = await buildApp({ config: configFor(context, { ADMIN_TOKEN, PUBLIC_URL: 'https://paperboy.test' }), logger: false });
  });

  afterAll(async () => {
    await app.close();
  });

  it('every route refuses a request without the admin token', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const routes = [
      ['POST', '/api/admin/digests'],
      ['GET', '/api/admin/digests'],
      ['GET', `/api/admin/digests/${id}`],
      ['GET', `/api/admin/digests/preview?subscriber=${id}`],
      ['POST', `/api/admin/digests/${id}/pause`],
      ['POST', `/api/admin/digests/${id}/resume`],
      ['POST', `/api/admin/digests/${id}/cancel`],
      ['POST', `/api/admin/digests/${id}/retry-failed`],
    ] as const;
    for (const [method, url] of routes) {
      const missing = await app.inject({ method, url });
      const wrong = await app.inject({ method, url, headers: { authorization: 'Bearer not-the-token-at-all' } });
      expect([url, missing.statusCode, wrong.statusCode]).toEqual([url, 401, 401]);
      expect(missing.json<{ error: { code: string } }>().error.code).toBe('admin.unauthorized');
    }
  });

  it('a dry run answers with the counts and sends nothing', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/admin/digests', headers: auth, payload: { dryRun: true } });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ run: { isDryRun: true, state: 'done', plannedCount: 1, frequency: 'weekly' } });
  });

  it('force asks to mail again readers already mailed this period, and says so in the run', async () => {
    const plain = await app.inject({ method: 'POST', url: '/api/admin/digests', headers: auth, payload: { dryRun: true } });
    expect(plain.json<{ run: unknown }>().run).toMatchObject({ isForced: false, alreadyMailedCount: 0 });
    const forced = await app.inject({ method: 'POST', url: '/api/admin/digests', headers: auth, payload: { dryRun: true, force: true } });
    expect(forced.statusCode).toBe(201);
    expect(forced.json<{ run: unknown }>().run).toMatchObject({ isForced: true, alreadyMailedCount: 0 });
    const bad = await app.inject({ method: 'POST', url: '/api/admin/digests', headers: auth, payload: { dryRun: true, force: 'yes' } });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('force');
  });

  it('a real run is created planned, listed, and reports its progress', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/admin/digests', headers: auth });
    expect(created.statusCode).toBe(201);
    const { run } = created.json<{ run: { id: string; state: string; plannedCount: number } }>();
    expect(run).toMatchObject({ state: 'planned', plannedCount: 1 });

    const progress = await app.inject({ method: 'GET', url: `/api/admin/digests/${run.id}`, headers: auth });
    expect(progress.json()).toMatchObject({ run: { id: run.id }, counts: { pending: 1, sent: 0 }, progress: 0 });

    const list = await app.inject({ method: 'GET', url: '/api/admin/digests?limit=5', headers: auth });
    expect(list.json<{ runs: { id: string }[] }>().runs.map((listed) => listed.id)).toContain(run.id);

    const resume = await app.inject({ method: 'POST', url: `/api/admin/digests/${run.id}/resume`, headers: auth });
    expect(resume.statusCode).toBe(409);
    expect(resume.json()).toMatchObject({ error: { code: 'digests.run_state_conflict' } });

    const pause = await app.inject({ method: 'POST', url: `/api/admin/digests/${run.id}/pause`, headers: auth, payload: { reason: 'checking the list' } });
    expect(pause.json()).toMatchObject({ run: { state: 'paused', pauseReason: 'checking the list' } });
    const cancel = await app.inject({ method: 'POST', url: `/api/admin/digests/${run.id}/cancel`, headers: auth });
    expect(cancel.json()).toMatchObject({ run: { state: 'cancelled' } });
  });

  it('an unknown run is a 404 and a malformed id a 400 naming the field', async () => {
    const unknown = await app.inject({ method: 'GET', url: '/api/admin/digests/00000000-0000-4000-8000-000000000000', headers: auth });
    expect(unknown.statusCode).toBe(404);
    const malformed = await app.inject({ method: 'GET', url: '/api/admin/digests/42', headers: auth });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ error: { code: 'request.invalid', details: [{ field: 'params.id' }] } });
    const badBody = await app.inject({ method: 'POST', url: '/api/admin/digests', headers: auth, payload: { frequency: 'hourly' } });
    expect(badBody.statusCode).toBe(400);
    expect(badBody.json()).toMatchObject({ error: { details: [{ field: 'body.frequency' }] } });
  });

  it('previews the digest a subscriber would get now, escaped, without recording anything', async () => {
    const subscriberId = fixture.subscriberId.get('ada@example.org')!;
    const before = await app.inject({ method: 'GET', url: '/api/admin/digests?limit=100', headers: auth });
    const response = await app.inject({ method: 'GET', url: `/api/admin/digests/preview?subscriber=${subscriberId}`, headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('Speculative &lt;b&gt;decoding&lt;/b&gt; at scale');
    expect(response.body).toContain('▲ 12 upvotes');
    expect(response.body).toMatch(/Why you got this: Topic llms \(llms\)\s*</);
    const after = await app.inject({ method: 'GET', url: '/api/admin/digests?limit=100', headers: auth });
    expect(after.json<{ runs: unknown[] }>().runs).toHaveLength(before.json<{ runs: unknown[] }>().runs.length);
  });

  it('a preview for someone with nothing new says so', async () => {
    const subscriberId = fixture.subscriberId.get('pending@example.org')!;
    await context.database.db.delete(subscriberTopics);
    const response = await app.inject({ method: 'GET', url: `/api/admin/digests/preview?subscriber=${subscriberId}`, headers: auth });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'digests.nothing_new' } });
  });
});
