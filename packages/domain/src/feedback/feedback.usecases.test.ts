import { consentEvents, paperRatings, papers, subscriberSeedPapers, subscribers } from '@paperboy/db';
import { useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDigestsRepository } from '../digests/digests.repository.ts';
import { insertDigestFixture } from '../digests/digests.test-fixtures.ts';
import { ingestPapers } from '../papers/papers.usecases.ts';
import { createToken, tokenExpiry } from '../subscriptions/subscriptions.tokens.ts';
import { eraseSubscriberData, exportSubscriberData } from '../subscriptions/privacy.usecases.ts';
import { atomFeed } from './feedback.test-fixtures.ts';
import { getFeedbackChoices, removeRatingWithPreferences, setLikedPapers } from './feedback.preferences.ts';
import { getRunFeedback } from './feedback.stats.ts';
import { feedbackLinks } from './feedback.tokens.ts';
import { recordFeedback, undoFeedback, viewFeedback } from './feedback.usecases.ts';

const secretKey = 'feedback-tests-secret-key-0123456789abcdef';
const noMatches = async () => {};

describe('ratings and liked papers', () => {
  const context = useTestContext();
  let fixture: Awaited<ReturnType<typeof insertDigestFixture>>;
  let runId: string;

  beforeAll(async () => {
    fixture = await insertDigestFixture({
      db: context.database.db,
      topicSlugs: ['llms', 'diffusion'],
      paperList: [
        { arxivId: '2611.00001', upvotes: 5, topics: { llms: 3 } },
        { arxivId: '2611.00002', upvotes: 5, topics: { llms: 2, diffusion: 4 } },
        { arxivId: '2611.00003', upvotes: 5, topics: { diffusion: 1 } },
      ],
      subscriberList: ['ada', 'bob', 'cy', 'dee', 'eve'].map((name) => ({ email: `${name}@example.org`, topics: ['llms'] })),
    });
    const now = new Date();
    const { run } = await createDigestsRepository({ db: context.database.db }).insertRun({
      values: { frequency: 'weekly', trigger: 'admin', isDryRun: false, periodKey: 'feedback-test', periodStart: now, periodEnd: now, state: 'done' },
    });
    runId = run!.id;
  });

  const db = () => context.database.db;
  const subscriber = (name: string) => fixture.subscriberId.get(`${name}@example.org`)!;
  const paper = (arxivId: string) => fixture.paperId.get(arxivId)!;
  const tokens = (name: string, arxivId: string, run: string | null = runId) => {
    const { moreUrl, lessUrl } = feedbackLinks({ publicUrl: 'https://p.test', secretKey, subscriberId: subscriber(name), paperId: paper(arxivId), runId: run, ttlDays: 30 });
    return { more: moreUrl.split('/').pop()!, less: lessUrl.split('/').pop()! };
  };
  const ratingsOf = (name: string) => db().select().from(paperRatings).where(eq(paperRatings.subscriberId, subscriber(name)));
  const consentOf = (name: string) => db().select().from(consentEvents).where(eq(consentEvents.subscriberId, subscriber(name)));
  const preferencesToken = (name: string) =>
    createToken({ secretKey, subscriberId: subscriber(name), purpose: 'preferences', expiresAt: tokenExpiry({ days: 1 }) });

  it('showing the page for a link records nothing', async () => {
    const view = await viewFeedback({ db: db(), secretKey, token: tokens('ada', '2611.00001').less });
    expect(view).toMatchObject({ rating: -1, isAlreadyRated: false, paper: { arxivId: '2611.00001', url: 'https://arxiv.org/abs/2611.00001' } });
    expect(await ratingsOf('ada')).toEqual([]);
    expect(await consentOf('ada')).toEqual([]);
  });

  it('the latest click stands, and the consent log says feedback was given but not on what or which way', async () => {
    await recordFeedback({ db: db(), secretKey, token: tokens('ada', '2611.00001').more, origin: { ip: '10.0.0.9' } });
    await recordFeedback({ db: db(), secretKey, token: tokens('ada', '2611.00001').less });
    expect(await ratingsOf('ada')).toMatchObject([{ paperId: paper('2611.00001'), rating: -1, runId }]);
    const events = await consentOf('ada');
    expect(events.map((event) => [event.kind, event.details])).toEqual([
      ['feedback', { action: 'rated' }],
      ['feedback', { action: 'rated' }],
    ]);
    expect((await viewFeedback({ db: db(), secretKey, token: tokens('ada', '2611.00001').less })).isAlreadyRated).toBe(true);
  });

  it('undo removes the rating its link made, but not a later opposite one', async () => {
    const { more, less } = tokens('bob', '2611.00002');
    await recordFeedback({ db: db(), secretKey, token: less });
    expect(await undoFeedback({ db: db(), secretKey, token: more })).toMatchObject({ isRemoved: false, rating: 1 });
    expect(await ratingsOf('bob')).toHaveLength(1);
    expect(await undoFeedback({ db: db(), secretKey, token: less })).toMatchObject({ isRemoved: true, rating: -1 });
    expect(await ratingsOf('bob')).toEqual([]);
    expect((await consentOf('bob')).map((event) => event.details)).toEqual([{ action: 'rated' }, { action: 'undone' }]);
  });

  it('a link from a run that no longer exists still rates, with no run', async () => {
    await recordFeedback({ db: db(), secretKey, token: tokens('cy', '2611.00003', '00000000-0000-4000-8000-0000000000ff').more });
    expect(await ratingsOf('cy')).toMatchObject([{ rating: 1, runId: null }]);
  });

  it('counts a run’s clicks in total and per topic of the paper', async () => {
    await recordFeedback({ db: db(), secretKey, token: tokens('dee', '2611.00002').more });
    await recordFeedback({ db: db(), secretKey, token: tokens('dee', '2611.00003').more });
    // ada: 2611.00001 down; dee: 2611.00002 (llms, diffusion) up and 2611.00003 (diffusion) up; cy's click has no run.
    expect(await getRunFeedback({ db: db(), runId })).toEqual({
      up: 2,
      down: 1,
      byTopic: [
        { slug: 'diffusion', name: 'Topic diffusion', up: 2, down: 0 },
        { slug: 'llms', name: 'Topic llms', up: 1, down: 1 },
      ],
    });
  });

  it('a link for a deleted paper or an erased reader is refused', async () => {
    const gone = await db().insert(papers).values({ arxivId: '2611.09999', title: 'Gone', abstract: 'Gone.', source: 'test' }).returning();
    const { moreUrl } = feedbackLinks({ publicUrl: 'https://p.test', secretKey, subscriberId: subscriber('eve'), paperId: gone[0]!.id, runId, ttlDays: 1 });
    await db().delete(papers).where(eq(papers.id, gone[0]!.id));
    await expect(recordFeedback({ db: db(), secretKey, token: moreUrl.split('/').pop()! })).rejects.toMatchObject({ code: 'feedback.paper_gone', status: 410 });
    await db().update(subscribers).set({ status: 'erased', email: null }).where(eq(subscribers.id, subscriber('eve')));
    await expect(recordFeedback({ db: db(), secretKey, token: tokens('eve', '2611.00001').more })).rejects.toMatchObject({ code: 'subscriptions.subscriber_gone' });
    await expect(viewFeedback({ db: db(), secretKey, token: preferencesToken('ada') })).rejects.toMatchObject({ code: 'subscriptions.token_invalid' });
    expect(await ratingsOf('eve')).toEqual([]);
  });

  it('liked papers already stored resolve at once; the others are handed on and linked by the next ingest', async () => {
    const handed: string[][] = [];
    const { unresolved } = await setLikedPapers({
      db: db(),
      secretKey,
      token: preferencesToken('cy'),
      arxivIds: ['2611.00003', '2502.00042'],
      enqueueFetch: async (ids) => {
        handed.push(ids);
      },
    });
    expect(unresolved).toEqual(['2502.00042']);
    expect(handed).toEqual([['2502.00042']]);
    expect((await getFeedbackChoices({ db: db(), subscriberId: subscriber('cy') })).likedPapers).toMatchObject([
      { arxivId: '2502.00042', title: null },
      { arxivId: '2611.00003', title: 'Paper 2611.00003' },
    ]);
    await ingestPapers({ db: db(), body: atomFeed([{ arxivId: '2502.00042', title: 'A paper cy liked' }]), contentType: 'application/atom+xml', enqueueMatches: noMatches });
    const rows = await db().select().from(subscriberSeedPapers).where(eq(subscriberSeedPapers.subscriberId, subscriber('cy')));
    expect(rows.every((row) => row.paperId !== null)).toBe(true);
    // Saving again replaces the list.
    await setLikedPapers({ db: db(), secretKey, token: preferencesToken('cy'), arxivIds: ['2611.00001'], enqueueFetch: noMatches });
    expect((await getFeedbackChoices({ db: db(), subscriberId: subscriber('cy') })).likedPapers.map((row) => row.arxivId)).toEqual(['2611.00001']);
  });

  it('a rating is removed from the preference center', async () => {
    expect(await removeRatingWithPreferences({ db: db(), secretKey, token: preferencesToken('dee'), paperId: paper('2611.00003') })).toEqual({ isRemoved: true });
    expect((await ratingsOf('dee')).map((row) => row.paperId)).toEqual([paper('2611.00002')]);
  });

  it('the data export lists ratings and liked papers, and erasing removes them', async () => {
    await recordFeedback({ db: db(), secretKey, token: tokens('cy', '2611.00002').less });
    const exported = await exportSubscriberData({ db: db(), secretKey, token: preferencesToken('cy') });
    expect(exported.paperRatings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ arxivId: '2611.00002', rating: -1 }),
        expect.objectContaining({ arxivId: '2611.00003', rating: 1 }),
      ]),
    );
    expect(exported.likedPapers).toMatchObject([{ arxivId: '2611.00001', title: 'Paper 2611.00001' }]);
    await eraseSubscriberData({ db: db(), secretKey, token: preferencesToken('cy') });
    expect(await ratingsOf('cy')).toEqual([]);
    expect(await db().select().from(subscriberSeedPapers).where(eq(subscriberSeedPapers.subscriberId, subscriber('cy')))).toEqual([]);
  });
});
