import type { TDb } from '@paperboy/db';
import { createPapersRepository, ingestPapers } from '@paperboy/domain';
import { createEnqueueMatches, type TQueues } from '@paperboy/queue';

/** A day of Hugging Face papers is ~100 kB and a 2,000-entry arXiv query ~5 MB. */
export const INGEST_MAX_BYTES = 8 * 1024 * 1024;

/** An uploaded file's own type is often generic (octet-stream); its extension says more. */
export function uploadContentType({ filename, mimetype }: { filename: string; mimetype: string }): string {
  if (/\.(jsonl|ndjson)$/i.test(filename)) return 'application/x-ndjson';
  if (/\.(xml|atom)$/i.test(filename)) return 'application/atom+xml';
  if (/\.json$/i.test(filename)) return 'application/json';
  return mimetype;
}

export type TPaperService = ReturnType<typeof createPaperService>;

/** Paper ingest and listing, as the JSON API and the console's upload both use them. */
export function createPaperService({ db, queues }: { db: TDb; queues: TQueues }) {
  return {
    /** `traceId` (the request's id) follows the match jobs into the worker's log lines. */
    ingest: ({ body, contentType, traceId }: { body: string; contentType: string; traceId?: string }) =>
      ingestPapers({ db, body, contentType, enqueueMatches: createEnqueueMatches(queues, { traceId }) }),
    list: (query: { q?: string; topic?: string; page: number; pageSize: number }) => createPapersRepository({ db }).listPapers(query),
  };
}
