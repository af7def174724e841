import { papers, subscriberSeedPapers } from '@paperboy/db';
import { useTestContext } from '@paperboy/testing';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDigestFixture } from '../digests/digests.test-fixtures.ts';
import { ingestPapers } from '../papers/papers.usecases.ts';
import { createFeedbackRepository } from './feedback.repository.ts';
import { fetchLikedPapers } from './feedback.seeds.ts';
import { atomFeed, startArxivStub, type TArxivStub } from './feedback.test-fixtures.ts';

describe('looking liked papers up on the arXiv API', () => {
  const context = useTestContext();
  let stub: TArxivStub;
  let subscriberId: string;
  const matched: number[] = [];
  const enqueueMatches = async (requests: { paperId: number }[]) => {
    matched.push(...requests.map((request) => request.paperId));
  };

  beforeAll(async () => {
    stub = await startArxivStub({ titles: { '2503.00001': 'Liked on arXiv', '2503.00009': 'Brought by a later ingest' } });
    const fixture = await insertDigestFixture({ db: context.database.db, topicSlugs: ['llms'], paperList: [{ arxivId: '2611.00001', upvotes: 1 }], subscriberList: [{ email: 'ada@example.org' }] });
    subscriberId = fixture.subscriberId.get('ada@example.org')!;
  });
  afterAll(async () => {
    await stub?.close();
  });

  const liked = () =>
    context.database.db
      .select({ arxivId: subscriberSeedPapers.arxivId, title: papers.title })
      .from(subscriberSeedPapers)
      .leftJoin(papers, eq(papers.id, subscriberSeedPapers.paperId))
      .orderBy(asc(subscriberSeedPapers.arxivId));
  const like = (arxivIds: string[]) => createFeedbackRepository({ db: context.database.db }).replaceLikedPapers({ subscriberId, arxivIds, now: new Date() });

  it('ingests what arXiv returns by id, links it to the reader and queues its matching; ids arXiv lacks stay unresolved', async () => {
    await like(['2503.00001', '2503.00002']);
    const outcome = await fetchLikedPapers({ db: context.database.db, arxivApiUrl: stub.url, arxivIds: ['2503.00001', '2503.00002'], enqueueMatches });
    expect(outcome).toEqual({ requested: 2, resolved: 1 });
    expect(stub.requests).toEqual([['2503.00001', '2503.00002']]);
    expect(await liked()).toEqual([
      { arxivId: '2503.00001', title: 'Liked on arXiv' },
      { arxivId: '2503.00002', title: null },
    ]);
    expect(matched).toHaveLength(1);
    // Asked again, only the id still missing goes to arXiv.
    await fetchLikedPapers({ db: context.database.db, arxivApiUrl: stub.url, arxivIds: ['2503.00001', '2503.00002'], enqueueMatches });
    expect(stub.requests.at(-1)).toEqual(['2503.00002']);
  });

  it('when arXiv fails the lookup throws and the paper waits, until an ingest brings that id', async () => {
    await like(['2503.00009']);
    stub.setFailing(true);
    await expect(fetchLikedPapers({ db: context.database.db, arxivApiUrl: stub.url, arxivIds: ['2503.00009'], enqueueMatches })).rejects.toMatchObject({
      code: 'papers.source_failed',
    });
    stub.setFailing(false);
    expect(await liked()).toEqual([{ arxivId: '2503.00009', title: null }]);
    await ingestPapers({
      db: context.database.db,
      body: atomFeed([{ arxivId: '2503.00009', title: 'Brought by a later ingest' }]),
      contentType: 'application/atom+xml',
      enqueueMatches,
    });
    expect(await liked()).toEqual([{ arxivId: '2503.00009', title: 'Brought by a later ingest' }]);
    expect(await fetchLikedPapers({ db: context.database.db, arxivApiUrl: stub.url, arxivIds: ['2503.00009'], enqueueMatches })).toEqual({ requested: 0, resolved: 0 });
  });
});
