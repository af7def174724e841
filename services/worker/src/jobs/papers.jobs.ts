import type { TConfig } from '@paperboy/config';
import { fetchAndIngestSources, findUnmatchedPapers, matchKey, matchPapers } from '@paperboy/domain';
import { createEnqueueMatches, type THandlers, type TQueues } from '@paperboy/queue';
import type { TWorkerDeps } from '../deps.ts';
import { createLikedPaperHandlers } from './feedback.jobs.ts';

export const FETCH_SOURCES_SCHEDULER_ID = 'papers-fetch-sources';
/** Papers left unmatched (a lost job) are re-enqueued by each sweep, this many at a time. */
const UNMATCHED_SWEEP_LIMIT = 1_000;

/** The scheduled fetch runs only when sources are configured; removing them removes the schedule. */
export async function schedulePaperFetch({ queues, config }: { queues: TQueues; config: TConfig }) {
  const queue = queues.get('papers');
  if (config.papers.sources.length === 0) {
    await queue.removeJobScheduler(FETCH_SOURCES_SCHEDULER_ID);
    return;
  }
  await queue.upsertJobScheduler(FETCH_SOURCES_SCHEDULER_ID, { pattern: config.papers.fetchCron, tz: 'UTC' }, { name: 'fetch-sources', data: {} });
}

export function createPaperHandlers(deps: TWorkerDeps): THandlers<'papers'> {
  const enqueueMatches = createEnqueueMatches(deps.queues);
  return {
    ...createLikedPaperHandlers(deps),
    match: async ({ paperIds }) => {
      const matches = await matchPapers({ db: deps.db, model: deps.topicModel, paperIds });
      const found = new Set(matches.map((match) => match.paperId));
      const gone = paperIds.filter((paperId) => !found.has(paperId));
      if (gone.length > 0) deps.logger.info({ paperIds: gone }, 'papers to match no longer exist');
      // Kept in Redis with the finished job: counts only.
      return {
        papers: matches.length,
        topicMatches: matches.reduce((sum, match) => sum + match.topics.length, 0),
        keywordMatches: matches.reduce((sum, match) => sum + match.keywordIds.length, 0),
      };
    },
    'fetch-sources': async () => {
      const outcomes = await fetchAndIngestSources({ db: deps.db, sources: deps.config.papers.sources, enqueueMatches });
      const { requeued } = await requeueUnmatchedPapers(deps);
      for (const outcome of outcomes) {
        if (outcome.error) deps.logger.warn({ source: outcome.url, err: outcome.error }, 'paper source failed');
        else deps.logger.info({ source: outcome.url, ...outcome.result }, 'paper source ingested');
      }
      const failed = outcomes.filter((outcome) => outcome.error);
      // Ingesting is idempotent, so a retry that fetches the healthy sources again is harmless.
      if (failed.length > 0) throw new Error(`${failed.length} of ${outcomes.length} paper sources failed: ${failed.map((outcome) => outcome.url).join(', ')}`);
      return { sources: outcomes.length, requeued };
    },
  };
}

/**
 * Queues a match job for papers whose own job was lost (Redis lost its data) or failed: run by
 * each fetch and by the supervisor, so papers that came in without a configured source (a seed,
 * a liked paper looked up) are matched too. Match job ids come from the papers' text, so a
 * batch already queued is not queued twice.
 */
export async function requeueUnmatchedPapers(deps: Pick<TWorkerDeps, 'db' | 'queues'>): Promise<{ requeued: number }> {
  const unmatched = await findUnmatchedPapers({ db: deps.db, limit: UNMATCHED_SWEEP_LIMIT });
  await createEnqueueMatches(deps.queues)(
    unmatched.map((paper) => ({ paperId: paper.id, key: matchKey({ paperId: paper.id, title: paper.title, abstract: paper.abstract }) })),
  );
  return { requeued: unmatched.length };
}
