export { parsePaperBatch, arxivIdFromUrl, MAX_ITEMS_PER_BATCH } from './papers.formats.ts';
export type { TPaperFormat, TRejectedItem, TValidatedBatch } from './papers.formats.ts';
export { normalizeTitle, normalizeWhitespace } from './papers.normalize.ts';
export { ingestPapers, storePapers, matchKey } from './papers.usecases.ts';
export type { TEnqueueMatches, TIngestResult, TMatchRequest, TStoreResult } from './papers.usecases.ts';
export { createPapersRepository } from './papers.repository.ts';
export { fetchSource, FETCH_MAX_BYTES, FETCH_TIMEOUT_MS } from './papers.fetch.ts';
export { fetchAndIngestSources } from './papers.sources.ts';
export type { TSourceOutcome } from './papers.sources.ts';
