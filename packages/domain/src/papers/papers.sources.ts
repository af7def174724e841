import type { TDb } from '@paperboy/db';
import { fetchSource } from './papers.fetch.ts';
import { ingestPapers, type TEnqueueMatches, type TIngestResult } from './papers.usecases.ts';

export type TSourceOutcome = { url: string; result?: Omit<TIngestResult, 'rejected'> & { rejected: number }; error?: string };

/**
 * The scheduled fetch: downloads each configured source and ingests it. One failing source does
 * not stop the others; the caller decides what a failure means (the job throws so BullMQ retries,
 * which is safe because ingesting is idempotent).
 */
export async function fetchAndIngestSources({
  db,
  sources,
  enqueueMatches,
  timeoutMs,
  maxBytes,
}: {
  db: TDb;
  sources: string[];
  enqueueMatches: TEnqueueMatches;
  timeoutMs?: number;
  maxBytes?: number;
}): Promise<TSourceOutcome[]> {
  const outcomes: TSourceOutcome[] = [];
  for (const url of sources) {
    try {
      const { body, contentType } = await fetchSource({ url, timeoutMs, maxBytes });
      const result = await ingestPapers({ db, body, contentType, enqueueMatches });
      outcomes.push({ url, result: { ...result, rejected: result.rejected.length } });
    } catch (error) {
      outcomes.push({ url, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return outcomes;
}
