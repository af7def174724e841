import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { AppError } from '../shared/errors.ts';
import { normalizeTitle, normalizeWhitespace } from './papers.normalize.ts';
import { ZPaper, type TPaper } from './papers.schemas.ts';

export type TPaperFormat = 'huggingface' | 'arxiv-atom' | 'paperboy-json' | 'paperboy-jsonl';

/** Why one item of a batch was not stored; `field` uses the sender's own field names (`paper.id`, `summary`). */
export type TRejectedItem = { index: number; field?: string; reason: string };

export type TValidatedBatch = {
  format: TPaperFormat;
  received: number;
  papers: { index: number; paper: TPaper }[];
  rejected: TRejectedItem[];
};

/** Batches larger than this are refused outright (413) rather than half-processed. */
export const MAX_ITEMS_PER_BATCH = 5_000;

type TCandidate = { index: number; value?: unknown; rejected?: TRejectedItem };
type TMapped = { input: Record<string, unknown>; fieldNames: Partial<Record<keyof TPaper, string>> } | { rejected: Omit<TRejectedItem, 'index'> };

const unparseable = (message: string) => new AppError({ code: 'papers.unparseable', status: 400, message });

// Optional source fields arrive as "", null or missing depending on the source; all mean "none".
const optionalText = z.preprocess((value) => (value === '' ? undefined : value), z.string().nullish());

const ZHuggingFaceItem = z.object({
  paper: z.object({
    id: z.string({ error: 'must be a string' }),
    title: z.string().optional(),
    summary: z.string().optional(),
    authors: z.array(z.object({ name: z.string() }).loose()).default([]),
    publishedAt: z.string().optional(),
    upvotes: z.number().optional(),
    githubRepo: optionalText,
    projectPage: optionalText,
  }),
  title: z.string().optional(),
  summary: z.string().optional(),
  publishedAt: z.string().optional(),
});

const HF_FIELDS = {
  arxivId: 'paper.id',
  title: 'paper.title',
  abstract: 'paper.summary',
  authors: 'paper.authors',
  publishedAt: 'paper.publishedAt',
  upvotes: 'paper.upvotes',
  githubRepo: 'paper.githubRepo',
  projectPage: 'paper.projectPage',
} as const;

const ATOM_FIELDS = {
  arxivId: 'id',
  title: 'title',
  abstract: 'summary',
  authors: 'author',
  publishedAt: 'published',
  categories: 'category',
} as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstIssue(error: z.ZodError, fieldNames: Partial<Record<string, string>> = {}): Omit<TRejectedItem, 'index'> {
  const issue = error.issues[0]!;
  const [head, ...rest] = issue.path.map(String);
  const field = head === undefined ? undefined : [fieldNames[head] ?? head, ...rest].join('.');
  return field ? { field, reason: `${field}: ${issue.message}` } : { reason: issue.message };
}

function fromHuggingFace(value: unknown): TMapped {
  const parsed = ZHuggingFaceItem.safeParse(value);
  if (!parsed.success) return { rejected: firstIssue(parsed.error) };
  const { paper, ...outer } = parsed.data;
  return {
    input: {
      arxivId: arxivIdFromUrl(paper.id),
      title: paper.title ?? outer.title,
      abstract: paper.summary ?? outer.summary,
      authors: paper.authors.map((author) => author.name),
      publishedAt: paper.publishedAt ?? outer.publishedAt,
      upvotes: paper.upvotes ?? 0,
      githubRepo: paper.githubRepo,
      projectPage: paper.projectPage,
    },
    fieldNames: HF_FIELDS,
  };
}

/** A Hugging Face item wraps the paper in `paper`; anything else is read as Paperboy's own shape. */
function toPaperInput(value: unknown): TMapped {
  if (isRecord(value) && isRecord(value.paper)) return fromHuggingFace(value);
  if (!isRecord(value)) return { rejected: { reason: 'must be an object' } };
  return { input: value, fieldNames: {} };
}

function validate(mapped: TMapped, index: number): { paper: TPaper } | { rejected: TRejectedItem } {
  if ('rejected' in mapped) return { rejected: { index, ...mapped.rejected } };
  const input = { ...mapped.input };
  if (typeof input.title === 'string') input.title = normalizeTitle(input.title);
  if (typeof input.abstract === 'string') input.abstract = normalizeWhitespace(input.abstract);
  if (Array.isArray(input.authors)) input.authors = (input.authors as unknown[]).map((name) => (typeof name === 'string' ? normalizeWhitespace(name) : name));
  const parsed = ZPaper.safeParse(input);
  if (!parsed.success) return { rejected: { index, ...firstIssue(parsed.error, mapped.fieldNames) } };
  return { paper: parsed.data };
}

function textOf(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (isRecord(node) && typeof node['#text'] === 'string') return node['#text'];
  return undefined;
}

/** arXiv ids come as `http://arxiv.org/abs/2401.01234v2`; Paperboy keys papers without the version. */
export function arxivIdFromUrl(id: string): string {
  return id
    .trim()
    .replace(/^https?:\/\/(export\.)?arxiv\.org\/abs\//, '')
    .replace(/v\d+$/, '');
}

function fromAtomEntry(entry: unknown): TMapped {
  if (!isRecord(entry)) return { rejected: { reason: 'entry must be an element' } };
  const id = textOf(entry.id);
  const authors = Array.isArray(entry.author) ? entry.author.map((author) => (isRecord(author) ? textOf(author.name) : undefined)) : [];
  const categories = Array.isArray(entry.category)
    ? entry.category.map((category) => (isRecord(category) ? category.term : undefined)).filter((term) => typeof term === 'string')
    : [];
  const links = Array.isArray(entry.link) ? entry.link.filter(isRecord) : [];
  const published = textOf(entry.published);
  return {
    input: {
      arxivId: id === undefined ? undefined : arxivIdFromUrl(id),
      title: textOf(entry.title),
      abstract: textOf(entry.summary),
      authors: authors.filter((name) => name !== undefined),
      publishedAt: published,
      categories: [...new Set(categories)].slice(0, 20),
      // arXiv lists a related project page as a link with rel="related" and no title (the PDF has title="pdf").
      projectPage: links.find((link) => link.rel === 'related' && link.title === undefined && typeof link.href === 'string')?.href,
    },
    fieldNames: ATOM_FIELDS,
  };
}

function parseAtom(text: string): TCandidate[] {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw unparseable(`The body is not well-formed XML (line ${valid.err.line}: ${valid.err.msg}).`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => ['entry', 'author', 'category', 'link'].includes(name),
  });
  let document: Record<string, unknown>;
  try {
    document = parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    // The validator passes some truncated tags (`<A/`) that the parser then refuses.
    throw unparseable(`The body is not well-formed XML (${(error as Error).message}).`);
  }
  if (!isRecord(document.feed)) throw unparseable('The XML is not an Atom feed (no <feed> element).');
  const entries = Array.isArray(document.feed.entry) ? (document.feed.entry as unknown[]) : [];
  return entries.map((entry, index) => ({ index, value: entry }));
}

function parseJsonLines(text: string): TCandidate[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  return lines.map((line, index) => {
    try {
      return { index, value: JSON.parse(line) as unknown };
    } catch {
      return { index, rejected: { index, reason: 'is not valid JSON' } };
    }
  });
}

function looksLikeXml(contentType: string, text: string) {
  return /\bxml\b|atom/.test(contentType) || text.startsWith('<');
}

/**
 * Tells the three formats apart by content type, then by shape, and validates each item on its
 * own: the answer lists every rejected item by index with the field at fault, and the papers
 * that passed. Throws `papers.unparseable` (400) only when the body as a whole cannot be read.
 */
export function parsePaperBatch({ body, contentType = '' }: { body: string; contentType?: string }): TValidatedBatch {
  const text = body.replace(/^\uFEFF/, '').trim();
  const type = contentType.toLowerCase();
  if (text === '') throw unparseable('The body is empty.');

  let format: TPaperFormat;
  let candidates: TCandidate[];
  let isAtom = false;
  if (looksLikeXml(type, text)) {
    format = 'arxiv-atom';
    candidates = parseAtom(text);
    isAtom = true;
  } else if (/ndjson|jsonl|json-seq/.test(type)) {
    format = 'paperboy-jsonl';
    candidates = parseJsonLines(text);
  } else {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      // Several lines of JSON sent as application/json (or with no type) are JSON Lines.
      candidates = parseJsonLines(text);
      if (candidates.length < 2 || candidates.every((candidate) => candidate.rejected)) {
        throw unparseable('The body is neither JSON, JSON Lines nor Atom XML.');
      }
      format = 'paperboy-jsonl';
      return finish(format, candidates, false);
    }
    const items: unknown[] = Array.isArray(document) ? (document as unknown[]) : [document];
    candidates = items.map((value, index) => ({ index, value }));
    format = isRecord(items[0]) && isRecord(items[0].paper) ? 'huggingface' : 'paperboy-json';
  }
  return finish(format, candidates, isAtom);
}

function finish(format: TPaperFormat, candidates: TCandidate[], isAtom: boolean): TValidatedBatch {
  if (candidates.length > MAX_ITEMS_PER_BATCH) {
    throw new AppError({
      code: 'papers.too_many_items',
      status: 413,
      message: `A batch holds at most ${MAX_ITEMS_PER_BATCH} papers; this one has ${candidates.length}. Split it.`,
    });
  }
  const batch: TValidatedBatch = { format, received: candidates.length, papers: [], rejected: [] };
  for (const candidate of candidates) {
    if (candidate.rejected) {
      batch.rejected.push(candidate.rejected);
      continue;
    }
    const outcome = validate(isAtom ? fromAtomEntry(candidate.value) : toPaperInput(candidate.value), candidate.index);
    if ('paper' in outcome) batch.papers.push({ index: candidate.index, paper: outcome.paper });
    else batch.rejected.push(outcome.rejected);
  }
  return batch;
}
