import { insertDigestFixture } from '@paperboy/domain/test-fixtures';
import { configFor, useTestContext } from '@paperboy/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postForm, signIn } from '../admin/admin.test-support.ts';
import { buildApp } from '../app.ts';

const ADMIN_TOKEN = 'admin-token-for-outage-tests';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('a queue outage answers 503 on every route that enqueues', () => {
  const context = useTestContext();
  let app: FastifyInstance;

  beforeAll(async () => {
    await insertDigestFixture({
      db: context.database.db,
      topicSlugs: ['llms'],
      paperList: [{ arxivId: '2611.00077', upvotes: 3, topics: { llms: 1 } }],
      subscriberList: [{ email: 'ada@example.org', topics: ['llms'] }],
    });
    // Nothing listens on port 1: Redis is down for the whole file.
    app = await buildApp({ config: configFor(context, { ADMIN_TOKEN, REDIS_URL: 'redis://127.0.0.1:1' }), logger: false });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('starting a digest run from the JSON API answers 503 queue.unavailable, as signup does', async () => {
    const started = await app.inject({ method: 'POST', url: '/api/admin/digests', headers: auth, payload: { frequency: 'weekly' } });
    expect(started.statusCode).toBe(503);
    expect(started.json<{ error: { code: string } }>().error.code).toBe('queue.unavailable');
    const signup = await app.inject({ method: 'POST', url: '/api/subscriptions', payload: { email: 'new@example.org', topics: ['llms'] } });
    expect(signup.statusCode).toBe(503);
    expect(signup.json<{ error: { code: string } }>().error.code).toBe('queue.unavailable');
  });

  it('starting a digest run from the console answers a 503 page that says the queue is down', async () => {
    const jar = await signIn(app, ADMIN_TOKEN);
    const response = await postForm(app, jar, { page: '/admin/digests', action: '/admin/digests', fields: { frequency: 'weekly' } });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('queue is not reachable');
  });
});
