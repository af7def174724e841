import { configFor, useTestContext } from '@paperboy/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';

const ADMIN_TOKEN = 'the-real-admin-token-0123456789';

type TRoute = { method: string; url: string };

/**
 * Every admin API route, read from the OpenAPI document: a route added later is covered
 * without touching this test. Path parameters get a well-formed value, so what is refused is
 * the caller, not the URL.
 */
async function adminRoutes(app: FastifyInstance): Promise<TRoute[]> {
  const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
  return Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/api/admin'))
    .flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => ({
        method: method.toUpperCase(),
        url: path.replace('{id}', '00000000-0000-4000-8000-000000000000').replace(/\{[^}]+\}/g, 'llms'),
      })),
    );
}

describe('every admin API route refuses callers without the admin token', () => {
  const context = useTestContext();
  let app: FastifyInstance;
  let routes: TRoute[];

  beforeAll(async () => {
    app = await buildApp({ config: configFor(context, { ADMIN_TOKEN }), logger: false });
    routes = await adminRoutes(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('finds the admin routes in the OpenAPI document', () => {
    expect(routes.length).toBeGreaterThanOrEqual(10);
    expect(routes).toContainEqual({ method: 'POST', url: '/api/admin/papers' });
  });

  const probes: Record<string, Record<string, string>> = {
    'no header': {},
    'an empty bearer': { authorization: 'Bearer ' },
    'a wrong token': { authorization: 'Bearer not-the-admin-token-at-all' },
    'the token with one character changed': { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}X` },
    'a prefix of the token (a timing probe)': { authorization: `Bearer ${ADMIN_TOKEN.slice(0, 8)}` },
    'the token with a suffix': { authorization: `Bearer ${ADMIN_TOKEN}x` },
    'the token as basic auth': { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` },
    'the token without the scheme': { authorization: ADMIN_TOKEN },
    'the token in a query-string-like header': { 'x-admin-token': ADMIN_TOKEN },
  };

  it.each(Object.keys(probes))('with %s, every admin route answers 401 and the same error', async (probe) => {
    for (const route of routes) {
      const response = await app.inject({ method: route.method as 'GET', url: route.url, headers: { ...probes[probe], 'content-type': 'application/json' }, payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}' });
      expect({ ...route, status: response.statusCode }).toEqual({ ...route, status: 401 });
      expect(response.json()).toEqual({ error: { code: 'admin.unauthorized', message: expect.any(String) as string } });
    }
  });

  it('with the right token, no admin route answers 401', async () => {
    for (const route of routes) {
      const response = await app.inject({ method: route.method as 'GET', url: route.url, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}' });
      expect({ ...route, status: response.statusCode }).not.toEqual({ ...route, status: 401 });
    }
  });
});
