import { consentEvents } from '@paperboy/db';
import { configFor, useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { seedTestTopics } from '../pages/journey.support.ts';

const ADMIN_TOKEN = 'admin-token-for-subscriber-tests';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

type TList = { items: { id: string; email: string; status: string; topics: string[] }[]; total: number; page: number; pageSize: number };

describe('admin subscriber routes', () => {
  const context = useTestContext();
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    await seedTestTopics(context.database.db);
    app = await buildApp({ config: configFor(context, { ADMIN_TOKEN }), logger: false });
    for (const [index, email] of ['alpha@example.org', 'beta@example.org', 'gamma_1@example.org'].entries()) {
      await app.inject({ method: 'POST', url: '/api/subscriptions', payload: { email, topics: index === 0 ? ['llms', 'robotics'] : ['llms'] } });
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  it('refuses every admin route without the bearer token, with 401', async () => {
    for (const [method, url] of [['GET', '/api/admin/subscribers'], ['GET', '/api/admin/subscribers/counts'], ['POST', '/api/admin/subscribers'], ['DELETE', '/api/admin/subscribers/00000000-0000-4000-8000-000000000000']] as const) {
      const response = await app.inject({ method, url, headers: { authorization: 'Bearer wrong-token-of-some-length' } });
      expect(response.statusCode).toBe(401);
    }
  });

  it('adds one subscriber by hand, confirmed, logged as admin_add; a known address is refused with 409', async () => {
    const added = await app.inject({ method: 'POST', url: '/api/admin/subscribers', headers: auth, payload: { email: 'Hand.Added@example.org', topics: ['diffusion'] } });
    expect(added.statusCode).toBe(201);
    const { id } = added.json<{ id: string }>();
    const events = await context.database.db.select().from(consentEvents).where(eq(consentEvents.subscriberId, id));
    expect(events.map((event) => event.kind)).toEqual(['admin_add']);
    const again = await app.inject({ method: 'POST', url: '/api/admin/subscribers', headers: auth, payload: { email: 'hand.added@example.org', topics: ['llms'] } });
    expect(again.statusCode).toBe(409);
    expect(again.json<{ error: { code: string } }>().error.code).toBe('subscriptions.already_exists');
  });

  it('lists with paging, a status filter and a search that treats wildcards literally', async () => {
    const page1 = (await app.inject({ method: 'GET', url: '/api/admin/subscribers?pageSize=2&page=1', headers: auth })).json<TList>();
    const page2 = (await app.inject({ method: 'GET', url: '/api/admin/subscribers?pageSize=2&page=2', headers: auth })).json<TList>();
    expect(page1.total).toBe(4);
    expect(page1.items).toHaveLength(2);
    expect(page2.items).toHaveLength(2);
    expect(new Set([...page1.items, ...page2.items].map((item) => item.id)).size).toBe(4);
    const confirmed = (await app.inject({ method: 'GET', url: '/api/admin/subscribers?status=confirmed', headers: auth })).json<TList>();
    expect(confirmed.items.map((item) => item.email)).toEqual(['hand.added@example.org']);
    const search = (await app.inject({ method: 'GET', url: '/api/admin/subscribers?q=ALPHA', headers: auth })).json<TList>();
    expect(search.items).toMatchObject([{ email: 'alpha@example.org', status: 'pending', topics: ['llms', 'robotics'] }]);
    const wildcard = (await app.inject({ method: 'GET', url: '/api/admin/subscribers?q=a_1', headers: auth })).json<TList>();
    expect(wildcard.items.map((item) => item.email)).toEqual(['gamma_1@example.org']);
    const underscore = (await app.inject({ method: 'GET', url: `/api/admin/subscribers?q=${encodeURIComponent('%')}`, headers: auth })).json<TList>();
    expect(underscore.items).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/api/admin/subscribers?status=gone', headers: auth })).statusCode).toBe(400);
  });

  it('filters by topic slug, the same filter the console offers', async () => {
    const robotics = (await app.inject({ method: 'GET', url: '/api/admin/subscribers?topic=robotics', headers: auth })).json<TList>();
    expect(robotics.items.map((item) => item.email)).toEqual(['alpha@example.org']);
    expect(robotics.total).toBe(1);
    const nobody = (await app.inject({ method: 'GET', url: '/api/admin/subscribers?topic=no-such-topic', headers: auth })).json<TList>();
    expect(nobody).toMatchObject({ items: [], total: 0 });
  });

  it('counts subscribers by status and by topic', async () => {
    const counts = (await app.inject({ method: 'GET', url: '/api/admin/subscribers/counts', headers: auth })).json<{
      byStatus: Record<string, number>;
      byTopic: { slug: string; confirmed: number; pending: number }[];
    }>();
    expect(counts.byStatus).toEqual({ pending: 3, confirmed: 1, unsubscribed: 0, erased: 0 });
    expect(counts.byTopic).toEqual([
      { slug: 'diffusion', name: 'Diffusion models', confirmed: 1, pending: 0 },
      { slug: 'llms', name: 'Large language models', confirmed: 0, pending: 3 },
      { slug: 'robotics', name: 'Robotics', confirmed: 0, pending: 1 },
    ]);
  });

  it('removes one subscriber by hand: unsubscribed, logged as admin_remove, 404 for an unknown id', async () => {
    const list = (await app.inject({ method: 'GET', url: '/api/admin/subscribers?q=beta', headers: auth })).json<TList>();
    const id = list.items[0]!.id;
    const removed = await app.inject({ method: 'DELETE', url: `/api/admin/subscribers/${id}`, headers: auth });
    expect(removed.json()).toEqual({ id, status: 'unsubscribed' });
    const events = await context.database.db.select().from(consentEvents).where(eq(consentEvents.subscriberId, id));
    expect(events.map((event) => event.kind)).toEqual(['signup', 'admin_remove']);
    const unknown = await app.inject({ method: 'DELETE', url: '/api/admin/subscribers/00000000-0000-4000-8000-000000000000', headers: auth });
    expect(unknown.statusCode).toBe(404);
  });

  it('documents the subscription and admin routes in OpenAPI', async () => {
    const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining([
      '/api/subscriptions',
      '/api/admin/subscribers',
      '/api/admin/subscribers/counts',
      '/api/admin/subscribers/{id}',
      '/unsubscribe/{token}',
    ]));
    expect(Object.keys(document.paths['/api/subscriptions']!.post as object)).toContain('requestBody');
  });
});
