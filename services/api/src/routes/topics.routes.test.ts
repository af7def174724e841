import { configFor, useTestContext } from '@paperboy/testing';
import { loadTopicModel, seedDatabase } from '@paperboy/domain';
import { createDatabase } from '@paperboy/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';

const TOKEN = 'test-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('topics routes', () => {
  const context = useTestContext();
  const app = () => buildApp({ config: configFor(context, { ADMIN_TOKEN: TOKEN }), logger: false });

  beforeAll(async () => {
    const database = createDatabase({ url: context.database.url, poolSize: 1 });
    await seedDatabase({ db: database.db, model: await loadTopicModel() });
    await database.close();
  });

  it('GET /api/topics lists slug, name and description for anyone', async () => {
    const server = await app();
    const response = await server.inject({ method: 'GET', url: '/api/topics' });
    await server.close();
    expect(response.statusCode).toBe(200);
    const { topics } = response.json<{ topics: Record<string, unknown>[] }>();
    expect(topics).toHaveLength(16);
    expect(topics).toContainEqual({ slug: 'llms', name: 'Large language models', description: expect.any(String) as string });
    expect(Object.keys(topics[0]!).sort()).toEqual(['description', 'name', 'slug']);
  });

  it('GET /api/admin/topics shows the terms and paper counts, to admins only', async () => {
    const server = await app();
    const anonymous = await server.inject({ method: 'GET', url: '/api/admin/topics' });
    const response = await server.inject({ method: 'GET', url: '/api/admin/topics', headers: auth });
    await server.close();
    expect(anonymous.statusCode).toBe(401);
    const llms = response.json<{ topics: { slug: string; terms: unknown[]; paperCount: number }[] }>().topics.find((topic) => topic.slug === 'llms');
    expect(llms?.terms).toContainEqual({ term: 'LLM', weight: 1 });
    expect(llms?.paperCount).toBeGreaterThan(5);
  });

  it('POST /api/admin/topics adds a topic and matches it against recent papers at once; a taken slug is a 409', async () => {
    const server = await app();
    try {
      const topic = { slug: 'tucker', name: 'Tucker models', description: 'Tucker decompositions', terms: [{ term: 'Tucker decomposition', weight: 1 }] };
      const created = await server.inject({ method: 'POST', url: '/api/admin/topics', headers: auth, payload: topic });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ topic: { slug: 'tucker' }, rematched: 1 });
      const again = await server.inject({ method: 'POST', url: '/api/admin/topics', headers: auth, payload: topic });
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({ error: { code: 'topics.slug_taken' } });
    } finally {
      await server.close();
    }
  });

  it('PUT /api/admin/topics/:slug edits the terms and re-scores recent papers; bad input is a 400 naming the field', async () => {
    const server = await app();
    try {
      const edited = await server.inject({
        method: 'PUT',
        url: '/api/admin/topics/tucker',
        headers: auth,
        payload: { name: 'Tucker and CP', description: 'Tensor factorizations', terms: [{ term: 'tensor', weight: 1 }, { term: 'Tucker', weight: 1 }] },
      });
      expect(edited.statusCode).toBe(200);
      expect(edited.json<{ rematched: number }>().rematched).toBeGreaterThan(1);
      const invalid = await server.inject({ method: 'PUT', url: '/api/admin/topics/tucker', headers: auth, payload: { name: 'x', description: 'y', terms: [{ term: 'tensor', weight: 7 }] } });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json()).toMatchObject({ error: { code: 'request.invalid', details: [{ field: 'body.terms.0.weight' }] } });
      const missing = await server.inject({ method: 'PUT', url: '/api/admin/topics/nope', headers: auth, payload: { name: 'x', description: 'y', terms: [{ term: 'z', weight: 1 }] } });
      expect(missing.statusCode).toBe(404);
    } finally {
      await server.close();
    }
  });
});
