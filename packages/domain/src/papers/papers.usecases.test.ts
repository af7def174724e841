import { readFileSync } from 'node:fs';
import { papers } from '@paperboy/db';
import { useTestContext } from '@paperboy/testing';
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/errors.ts';
import { ingestPapers, matchKey, type TMatchRequest } from './papers.usecases.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function recorder() {
  const jobs: TMatchRequest[] = [];
  return { jobs, enqueueMatches: async (batch: TMatchRequest[]) => void jobs.push(...batch) };
}

describe('ingesting papers', () => {
  const context = useTestContext();

  it('stores a Hugging Face response, an arXiv feed and Paperboy JSON Lines, and queues one match job per paper', async () => {
    const { db } = context.database;
    const queue = recorder();
    const hf = await ingestPapers({ db, body: fixture('hf-daily-papers.json'), contentType: 'application/json', enqueueMatches: queue.enqueueMatches });
    const atom = await ingestPapers({ db, body: fixture('arxiv-feed.atom.xml'), contentType: 'application/atom+xml', enqueueMatches: queue.enqueueMatches });
    const jsonl = await ingestPapers({ db, body: fixture('paperboy.jsonl'), contentType: 'application/x-ndjson', enqueueMatches: queue.enqueueMatches });
    expect([hf, atom, jsonl].map((result) => [result.format, result.created, result.matchJobs])).toEqual([
      ['huggingface', 3, 3],
      ['arxiv-atom', 3, 3],
      ['paperboy-jsonl', 2, 2],
    ]);
    const rows = await db.select().from(papers).orderBy(asc(papers.arxivId));
    expect(rows).toHaveLength(8);
    const gptq = rows.find((row) => row.arxivId === '2403.08295')!;
    expect(gptq).toMatchObject({ upvotes: 142, source: 'huggingface', githubRepo: 'https://github.com/example/gptq-lite', matchedAt: null });
    expect(queue.jobs).toContainEqual({ paperId: gptq.id, key: matchKey({ paperId: gptq.id, title: gptq.title, abstract: gptq.abstract }) });
    for (const job of queue.jobs) expect(job.key).toMatch(/^match-\d+-[0-9a-f]{16}$/);
  });

  it('updates a re-ingested paper, or its v2, in place: one row, new text, more upvotes, a new match job only when the text changed', async () => {
    const { db } = context.database;
    const paper = { arxivId: '2405.00001', title: 'First title', abstract: 'First abstract.', upvotes: 5, authors: ['A. Author'] };
    const first = recorder();
    await ingestPapers({ db, body: JSON.stringify([paper]), enqueueMatches: first.enqueueMatches });
    const [stored] = await db.select().from(papers).where(eq(papers.arxivId, '2405.00001'));
    await db.update(papers).set({ matchedAt: new Date() }).where(eq(papers.id, stored!.id));

    const again = recorder();
    const same = await ingestPapers({ db, body: JSON.stringify([paper]), enqueueMatches: again.enqueueMatches });
    expect(same).toMatchObject({ stored: 1, created: 0, updated: 0, unchanged: 1, matchJobs: 0 });

    const upvoted = await ingestPapers({ db, body: JSON.stringify([{ ...paper, upvotes: 40 }]), enqueueMatches: again.enqueueMatches });
    expect(upvoted).toMatchObject({ created: 0, updated: 1, matchJobs: 0 });

    const atomV2 = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2405.00001v2</id>
      <published>2024-05-01T00:00:00Z</published><title>Second   title</title><summary>Second abstract.</summary>
      <author><name>A. Author</name></author><category term="cs.LG"/></entry></feed>`;
    const v2 = await ingestPapers({ db, body: atomV2, contentType: 'application/atom+xml', enqueueMatches: again.enqueueMatches });
    expect(v2).toMatchObject({ created: 0, updated: 1, matchJobs: 1 });

    const rows = await db.select().from(papers).where(eq(papers.arxivId, '2405.00001'));
    expect(rows).toHaveLength(1);
    // arXiv carries no upvotes: the count from Hugging Face is kept, and the text follows the newer version.
    expect(rows[0]).toMatchObject({ id: stored!.id, title: 'Second title', abstract: 'Second abstract.', upvotes: 40, categories: ['cs.LG'], matchedAt: null });
    expect(again.jobs).toEqual([{ paperId: stored!.id, key: matchKey({ paperId: stored!.id, title: 'Second title', abstract: 'Second abstract.' }) }]);
  });

  it('stores the good items of a batch and lists the bad ones by index; a batch with no good item is a 400 naming the field', async () => {
    const { db } = context.database;
    const queue = recorder();
    const body = JSON.stringify([
      { arxivId: '2405.00010', title: 'Good one', abstract: 'Fine.' },
      { arxivId: '2405.00011', title: '', abstract: 'No title.' },
      { arxivId: '2405.00012', title: 'Good two', abstract: 'Fine too.', upvotes: -3 },
      { arxivId: '2405.00013', title: 'Good three', abstract: 'Also fine.' },
    ]);
    const result = await ingestPapers({ db, body, enqueueMatches: queue.enqueueMatches });
    expect(result).toMatchObject({ received: 4, stored: 2, created: 2 });
    expect(result.rejected).toEqual([
      { index: 1, field: 'title', reason: 'title: must not be empty' },
      { index: 2, field: 'upvotes', reason: expect.stringContaining('upvotes') as string },
    ]);
    const stored = await db.select({ arxivId: papers.arxivId }).from(papers).orderBy(asc(papers.arxivId));
    expect(stored.map((row) => row.arxivId)).toEqual(expect.arrayContaining(['2405.00010', '2405.00013']));
    expect(stored.map((row) => row.arxivId)).not.toContain('2405.00011');

    const error = await ingestPapers({ db, body: JSON.stringify([{ arxivId: '2405.00014', abstract: 'x' }]), enqueueMatches: queue.enqueueMatches }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'papers.invalid', status: 400, details: [{ index: 0, field: 'title' }] });
  });

  it('keeps the papers but answers 503 when their match jobs cannot be queued, and queues them on the next ingest', async () => {
    const { db } = context.database;
    const body = JSON.stringify([{ arxivId: '2405.00020', title: 'Queued later', abstract: 'Redis was down.' }]);
    const down = () => Promise.reject(new Error('Redis is down'));
    await expect(ingestPapers({ db, body, enqueueMatches: down })).rejects.toMatchObject({ code: 'papers.match_not_queued', status: 503 });
    const queue = recorder();
    const retry = await ingestPapers({ db, body, enqueueMatches: queue.enqueueMatches });
    expect(retry).toMatchObject({ created: 0, unchanged: 1, matchJobs: 1 });
  });
});
