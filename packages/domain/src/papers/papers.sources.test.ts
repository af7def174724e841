import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { papers } from '@paperboy/db';
import { useTestContext } from '@paperboy/testing';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAndIngestSources } from './papers.sources.ts';
import type { TMatchRequest } from './papers.usecases.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

describe('the scheduled fetch of configured sources', () => {
  const context = useTestContext();
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/api/daily_papers') return response.writeHead(200, { 'content-type': 'application/json' }).end(fixture('hf-daily-papers.json'));
      if (request.url === '/api/query') return response.writeHead(200, { 'content-type': 'application/atom+xml; charset=utf-8' }).end(fixture('arxiv-feed.atom.xml'));
      if (request.url === '/huge') {
        // No Content-Length: the limit must hold while streaming.
        response.writeHead(200, { 'content-type': 'application/json' });
        return response.end(Buffer.alloc(64 * 1024, ' '));
      }
      if (request.url === '/slow') return setTimeout(() => response.end('[]'), 2_000);
      return response.writeHead(500).end('down');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fetches each source, ingests it, and reports the sources that failed without stopping at them', async () => {
    const { db } = context.database;
    const jobs: TMatchRequest[] = [];
    const outcomes = await fetchAndIngestSources({
      db,
      sources: [`${base}/api/daily_papers`, `${base}/broken`, `${base}/api/query`, `${base}/huge`, `${base}/slow`],
      enqueueMatches: async (batch) => void jobs.push(...batch),
      maxBytes: 32 * 1024,
      timeoutMs: 500,
    });
    expect(outcomes.map((outcome) => [outcome.result?.format ?? null, outcome.result?.created ?? null, Boolean(outcome.error)])).toEqual([
      ['huggingface', 3, false],
      [null, null, true],
      ['arxiv-atom', 3, false],
      [null, null, true],
      [null, null, true],
    ]);
    expect(outcomes[1]!.error).toMatch(/answered 500/);
    expect(outcomes[3]!.error).toMatch(/more than 32768 bytes/);
    expect(jobs).toHaveLength(6);
    const [stored] = await db.select({ value: count() }).from(papers);
    expect(stored?.value).toBe(6);

    const again = await fetchAndIngestSources({ db, sources: [`${base}/api/daily_papers`], enqueueMatches: async () => {} });
    expect(again[0]!.result).toMatchObject({ created: 0, unchanged: 3 });
  });
});
