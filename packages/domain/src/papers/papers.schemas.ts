import { z } from 'zod';
import { httpUrl, multiLine, singleLine } from '../shared/schemas.ts';

/** New-style (2401.01234) or old-style (hep-th/9901001) arXiv id, without a version. */
export const ZArxivId = z
  .string()
  .trim()
  .regex(/^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})$/, 'must be an arXiv id such as 2401.01234, without a version');

/** Paperboy's own paper shape: every ingest format is parsed into this. */
export const ZPaper = z.object({
  arxivId: ZArxivId,
  title: singleLine(500),
  abstract: multiLine(10_000),
  authors: z.array(singleLine(200)).max(500).default([]),
  publishedAt: z.iso.datetime({ offset: true }).nullish(),
  upvotes: z.number().int().min(0).max(1_000_000).default(0),
  githubRepo: httpUrl.nullish(),
  projectPage: httpUrl.nullish(),
  categories: z.array(singleLine(40)).max(20).default([]),
});

export type TPaperInput = z.input<typeof ZPaper>;
export type TPaper = z.output<typeof ZPaper>;
