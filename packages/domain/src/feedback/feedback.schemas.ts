import { z } from 'zod';
import { ZArxivId } from '../papers/papers.schemas.ts';

export const MAX_LIKED_PAPERS = 5;

// arxiv.org/abs/<id>, /pdf/<id>(.pdf) and export.arxiv.org links, with or without a version.
const ARXIV_LINK = /^(?:https?:\/\/)?(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf)\/(.+?)(?:\.pdf)?\/?$/i;
const ARXIV_PREFIX = /^arxiv:/i;

/** One pasted entry as a bare arXiv id without version, or the entry as typed when it is none. */
export function arxivIdFromEntry(entry: string): string {
  const trimmed = entry.trim();
  const fromLink = ARXIV_LINK.exec(trimmed)?.[1] ?? trimmed.replace(ARXIV_PREFIX, '');
  return fromLink.replace(/v\d+$/, '');
}

const ZLikedPaper = z
  .string()
  .trim()
  .max(300, 'must be at most 300 characters')
  .transform((entry, ctx) => {
    const arxivId = arxivIdFromEntry(entry);
    if (ZArxivId.safeParse(arxivId).success) return arxivId;
    ctx.addIssue({ code: 'custom', message: `"${entry}" is not an arXiv id or arxiv.org link` });
    return z.NEVER;
  });

/** Papers a reader liked, pasted as arXiv ids or arxiv.org links: at most five, each turned into a bare id. */
export const ZLikedPapers = z
  .array(ZLikedPaper)
  .max(MAX_LIKED_PAPERS, `at most ${MAX_LIKED_PAPERS} papers`)
  .transform((ids) => [...new Set(ids)]);

/** The liked-papers text box: entries separated by commas, spaces or new lines. */
export function splitLikedPapers(text: string): string[] {
  return text.split(/[\s,]+/).filter((entry) => entry.length > 0);
}
