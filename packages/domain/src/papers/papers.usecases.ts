import { createHash } from 'node:crypto';
import type { TDb } from '@paperboy/db';
import { AppError } from '../shared/errors.ts';
import { parsePaperBatch, type TPaperFormat, type TRejectedItem } from './papers.formats.ts';
import { createPapersRepository } from './papers.repository.ts';
import type { TPaper } from './papers.schemas.ts';

/** A paper to match, and a key for this paper's text: the match job of an unchanged re-ingest dedupes. */
export type TMatchRequest = { paperId: number; key: string };
/** Hands match jobs to the queue; the domain does not know BullMQ. */
export type TEnqueueMatches = (papers: TMatchRequest[]) => Promise<void>;

export type TStoreResult = {
  /** Distinct papers of the batch now stored: created + updated + unchanged. */
  stored: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Papers of the batch still to be matched (new or changed content, or a lost job). */
  toMatch: TMatchRequest[];
};

export type TIngestResult = Omit<TStoreResult, 'toMatch'> & {
  format: TPaperFormat;
  received: number;
  rejected: TRejectedItem[];
  matchJobs: number;
};

/**
 * Names one paper's text: the same paper with the same text has the same key, however often it
 * is ingested; changed text a new one. Match jobs are named after their papers' keys.
 */
export function matchKey({ paperId, title, abstract }: { paperId: number; title: string; abstract: string }): string {
  const hash = createHash('sha256').update(title).update('\u0000').update(abstract).digest('hex').slice(0, 16);
  return `match-${paperId}-${hash}`;
}

/**
 * Stores valid papers in one transaction (all or none), deduplicated by arXiv id (the last
 * occurrence in a batch wins), and says which need matching.
 */
export async function storePapers({
  db,
  papers,
  source,
  onProgress,
}: {
  db: TDb;
  papers: TPaper[];
  source: string;
  onProgress?: (done: number, total: number) => void;
}): Promise<TStoreResult> {
  const unique = [...new Map(papers.map((paper) => [paper.arxivId, paper])).values()];
  return db.transaction(async (tx) => {
    const repository = createPapersRepository({ db: tx });
    const { written } = await repository.upsertPapers({ rows: unique, source, onChunk: (done) => onProgress?.(done, unique.length) });
    const created = written.filter((paper) => paper.isNew).length;
    await repository.resolveLikedPapers({ arxivIds: unique.map((paper) => paper.arxivId) });
    const toMatch = await repository.findUnmatchedByArxivIds({ arxivIds: unique.map((paper) => paper.arxivId) });
    return {
      stored: unique.length,
      created,
      updated: written.length - created,
      unchanged: unique.length - written.length,
      toMatch: toMatch.map((paper) => ({ paperId: paper.id, key: matchKey({ paperId: paper.id, title: paper.title, abstract: paper.abstract }) })),
    };
  });
}

const SOURCE_OF_FORMAT: Record<TPaperFormat, string> = {
  huggingface: 'huggingface',
  'arxiv-atom': 'arxiv',
  'paperboy-json': 'paperboy',
  'paperboy-jsonl': 'paperboy',
};

/**
 * The one ingest use case behind the admin API, the CLI and the scheduled fetch: parse and
 * validate item by item, store the valid papers in one transaction, then enqueue a match job
 * for each paper that needs one.
 */
export async function ingestPapers({
  db,
  body,
  contentType,
  enqueueMatches,
  onProgress,
}: {
  db: TDb;
  body: string;
  contentType?: string;
  enqueueMatches: TEnqueueMatches;
  onProgress?: (done: number, total: number) => void;
}): Promise<TIngestResult> {
  const batch = parsePaperBatch({ body, contentType });
  if (batch.received > 0 && batch.papers.length === 0) {
    // Not one usable paper: a bad request, not a batch with some bad items.
    const [first] = batch.rejected;
    throw new AppError({
      code: 'papers.invalid',
      status: 400,
      message: `No valid paper in the batch; item ${first!.index}: ${first!.reason}`,
      details: batch.rejected,
    });
  }
  const { toMatch, ...stored } = await storePapers({
    db,
    papers: batch.papers.map((item) => item.paper),
    source: SOURCE_OF_FORMAT[batch.format],
    onProgress,
  });
  try {
    if (toMatch.length > 0) await enqueueMatches(toMatch);
  } catch (error) {
    // The papers are committed with matched_at null; the next ingest or scheduled fetch re-enqueues them.
    throw new AppError({
      code: 'papers.match_not_queued',
      status: 503,
      message: `Stored ${stored.stored} papers, but their match jobs could not be queued; they will be matched on the next fetch or ingest.`,
      cause: error,
    });
  }
  return { format: batch.format, received: batch.received, ...stored, rejected: batch.rejected, matchJobs: toMatch.length };
}
