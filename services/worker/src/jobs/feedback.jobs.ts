import { fetchLikedPapers } from '@paperboy/domain';
import { createEnqueueMatches, type THandlers } from '@paperboy/queue';
import type { TWorkerDeps } from '../deps.ts';

/** Liked papers named before any ingest brought them: fetched by id from the arXiv API. */
export function createLikedPaperHandlers(deps: TWorkerDeps): Pick<THandlers<'papers'>, 'fetch-liked-papers'> {
  const enqueueMatches = createEnqueueMatches(deps.queues);
  return {
    // A failed lookup throws and BullMQ retries with backoff; the rows wait for a later ingest either way.
    'fetch-liked-papers': async ({ arxivIds }) => {
      const outcome = await fetchLikedPapers({ db: deps.db, arxivApiUrl: deps.config.papers.arxivApiUrl, arxivIds, enqueueMatches });
      deps.logger.info(outcome, 'liked papers looked up on arXiv');
      return outcome;
    },
  };
}
