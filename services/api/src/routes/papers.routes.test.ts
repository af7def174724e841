import { readFileSync } from 'node:fs';
import { configFor, useTestContext } from '@paperboy/testing';
import { loadTopicModel, seedDatabase } from '@paperboy/domain';
import { createDatabase } from '@paperboy/db';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { INGEST_MAX_BYTES } from '../services/papers.service.ts';

const TOKEN = 'test-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const fixture = (name: string) => readFileSync(new URL(`../../../../packages/domain/src/papers/fixtures/${name}`, import.meta.url), 'utf8');

describe('papers admin routes', () => {
  const context = useTestContext();
  const app = () => buildApp({ config: configFor(context, { ADMIN_TOKEN: TOKEN }), logger: false });

  it('POST /api/admin/papers refuses a request without the admin token with a 401', async () => {
    const server = await app();
    const response = await server.inject({ method: 'POST', url: '/api/admin/papers', headers: { 'content-type': 'application/json' }, payload: fixture('hf-daily-papers.json') });
    await server.close();
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'admin.unauthorized' } });
  });

  it('ingests a Hugging Face response, an Atom feed, JSON Lines and an uploaded file, and queues match jobs', async () => {
    const server = await app();
    try {
      const hf = await server.inject({ method: 'POST', url: '/api/admin/papers', headers: { ...auth, 'content-type': 'application/json' }, payload: fixture('hf-daily-papers.json') });
      expect(hf.statusCode).toBe(200);
      expect(hf.json()).toEqual({ format: 'huggingface', received: 3, stored: 3, created: 3, updated: 0, unchanged: 0, matchJobs: 3, rejected: [] });
      const atom = await server.inject({ method: 'POST', url: '/api/admin/papers', headers: { ...auth, 'content-type': 'application/atom+xml' }, payload: fixture('arxiv-feed.atom.xml') });
      expect(atom.json()).toMatchObject({ format: 'arxiv-atom', created: 3 });
      const jsonl = await server.inject({ method: 'POST', url: '/api/admin/papers', headers: { ...auth, 'content-type': 'application/x-ndjson' }, payload: fixture('paperboy.jsonl') });
      expect(jsonl.json()).toMatchObject({ format: 'paperboy-jsonl', created: 2 });

      const boundary = '----paperboy-test';
      const upload = [
        `--${boundary}`,
        'Content-Disposition: form-data; name="file"; filename="feed.xml"',
        'Content-Type: application/octet-stream',
        '',
        fixture('arxiv-feed.atom.xml').replace('2401.01234v2', '2401.01234v3').replace('Sparse Variational', 'Scalable Sparse Variational'),
        `--${boundary}--`,
        '',
      ].join('\r\n');
      const file = await server.inject({ method: 'POST', url: '/api/admin/papers', headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: upload });
      expect(file.statusCode).toBe(200);
      // No worker ran, so the two unchanged papers are still unmatched and are offered again with
      // the changed one: a batch with a new text key, so a fourth job.
      expect(file.json()).toMatchObject({ format: 'arxiv-atom', created: 0, updated: 1, unchanged: 2, matchJobs: 3 });
      // The same upload again names the same papers with the same texts: no new job.
      await server.inject({ method: 'POST', url: '/api/admin/papers', headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: upload });

      // One job per ingest (up to 100 papers each): 3 + 3 + 2 + 3 papers in 4 jobs.
      const waiting = (await server.queues.get('papers').getJobs(['waiting', 'delayed', 'prioritized'])).filter((job) => job.name === 'match');
      expect(waiting.map((job) => (job.data as { paperIds: number[] }).paperIds.length).sort()).toEqual([2, 3, 3, 3]);
    } finally {
      await server.close();
    }
  });

  it('answers 400 naming the field when no item is valid, and when nothing is parseable', async () => {
    const server = await app();
    const invalid = await server.inject({
      method: 'POST',
      url: '/api/admin/papers',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify([{ paper: { id: '2401.00001', title: 'No summary' } }]),
    });
    const garbage = await server.inject({ method: 'POST', url: '/api/admin/papers', headers: { ...auth, 'content-type': 'application/json' }, payload: '{ not json' });
    await server.close();
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ error: { code: 'papers.invalid', details: [{ index: 0, field: 'paper.summary' }] } });
    expect(invalid.json<{ error: { message: string } }>().error.message).toContain('paper.summary');
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json()).toMatchObject({ error: { code: 'papers.unparseable' } });
  });

  it('answers 413 to a body over the limit', async () => {
    const server = await app();
    const response = await server.inject({
      method: 'POST',
      url: '/api/admin/papers',
      headers: { ...auth, 'content-type': 'application/x-ndjson' },
      payload: 'x'.repeat(INGEST_MAX_BYTES + 1),
    });
    await server.close();
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: expect.stringMatching(/too_large/) as string } });
  });

  it('GET /api/admin/papers lists papers with matched topics, searchable and paged', async () => {
    const database = createDatabase({ url: context.database.url, poolSize: 1 });
    await seedDatabase({ db: database.db, model: await loadTopicModel() });
    await database.close();
    const server = await app();
    try {
      const search = await server.inject({ method: 'GET', url: '/api/admin/papers?q=tucker%20decomposition&pageSize=5', headers: auth });
      expect(search.statusCode).toBe(200);
      const body = search.json<{ items: { arxivId: string; topics: { slug: string; score: number; matchedTerms: string[] }[] }[]; total: number }>();
      expect(body.items[0]?.arxivId).toBe('2402.16996');
      expect(body.items[0]?.topics.map((topic) => topic.slug)).toContain('tensor-methods');
      expect(body.items[0]?.topics[0]?.matchedTerms.length).toBeGreaterThan(0);
      const page2 = await server.inject({ method: 'GET', url: '/api/admin/papers?page=2&pageSize=10', headers: auth });
      expect(page2.json()).toMatchObject({ page: 2, pageSize: 10 });
      expect(page2.json<{ items: unknown[]; total: number }>().items).toHaveLength(10);
      const byTopic = await server.inject({ method: 'GET', url: '/api/admin/papers?topic=tensor-methods', headers: auth });
      expect(byTopic.json<{ total: number }>().total).toBeGreaterThan(0);
      const bad = await server.inject({ method: 'GET', url: '/api/admin/papers?pageSize=1000', headers: auth });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ error: { code: 'request.invalid', details: [{ field: 'querystring.pageSize' }] } });
      expect((await server.inject({ method: 'GET', url: '/api/admin/papers' })).statusCode).toBe(401);
    } finally {
      await server.close();
    }
  });
});
