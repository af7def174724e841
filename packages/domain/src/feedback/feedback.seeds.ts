import type { TDb } from '@paperboy/db';
import { fetchSource } from '../papers/papers.fetch.ts';
import { ingestPapers, type TEnqueueMatches } from '../papers/papers.usecases.ts';
import { isAppError } from '../shared/errors.ts';
import { createFeedbackRepository } from './feedback.repository.ts';

export type TLikedPaperFetch = { requested: number; resolved: number };

/**
 * The worker's half of "papers you liked": looks up, by id, those of `arxivIds` still unresolved
 * and ingests what the arXiv API returns through the ordinary ingest, whose upsert links them to
 * the readers who named them. Ids arXiv does not know stay unresolved; a fetch that fails throws
 * (the job retries), and a later ingest still links them.
 */
export async function fetchLikedPapers({
  db,
  arxivApiUrl,
  arxivIds,
  enqueueMatches,
  timeoutMs,
}: {
  db: TDb;
  arxivApiUrl: string;
  arxivIds: string[];
  enqueueMatches: TEnqueueMatches;
  timeoutMs?: number;
}): Promise<TLikedPaperFetch> {
  const repository = createFeedbackRepository({ db });
  // Re-read: another job or an ingest may have brought some of them since this job was queued.
  const wanted = await repository.findUnresolvedLiked({ arxivIds });
  if (wanted.length === 0) return { requested: 0, resolved: 0 };
  const url = new URL(arxivApiUrl);
  url.searchParams.set('id_list', wanted.join(','));
  url.searchParams.set('max_results', String(wanted.length));
  const { body, contentType } = await fetchSource({ url: url.toString(), timeoutMs });
  try {
    await ingestPapers({ db, body, contentType, enqueueMatches });
  } catch (error) {
    // arXiv answers an unknown id with an error entry, which the parser refuses: nothing to store.
    if (!isAppError(error) || error.code !== 'papers.invalid') throw error;
  }
  const stillWanted = await repository.findUnresolvedLiked({ arxivIds: wanted });
  return { requested: wanted.length, resolved: wanted.length - stillWanted.length };
}
