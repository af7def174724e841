// The labelled papers the topic model is trained and evaluated on, and the one fixed rule that
// splits them (see seeds/README.md): the 45 sample papers always tune, since the term lists were
// written beside them; a corpus paper is held out when the first byte of sha256(arXiv id) is
// below 0x55, about a third of them.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { repoPath } from '@paperboy/runtime';
import { papers, topics, sqlArray, type TDb } from '@paperboy/db';
import { inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { ZPaper, type TPaper } from '../papers/papers.schemas.ts';
import { storePapers } from '../papers/papers.usecases.ts';
import { readSeedPapers, readSeedTopics, SeedFileError } from '../seed/seed.usecases.ts';
import type { TTrainingPaper } from './matching.training.ts';
import { hitKey } from './matching.predict.ts';
import { readTermHits } from './matching.usecases.ts';

export const HELD_OUT_FIRST_BYTE_BELOW = 0x55;

export const isHeldOut = (arxivId: string) => createHash('sha256').update(arxivId).digest()[0]! < HELD_OUT_FIRST_BYTE_BELOW;

export type TLabelledPaper = TPaper & { topics: string[] };

const MIN_ABSTRACT_WORDS = 60;
const MAX_ABSTRACT_WORDS = 140;
// Each topic needs enough positives for a per-topic score on the held-out part to mean something.
const MIN_POSITIVES_PER_TOPIC = 16;
// New-style arXiv ids only, YYMM.NNNN (until 2014) or YYMM.NNNNN, with a real month.
const CORPUS_ARXIV_ID = /^\d{2}(0[1-9]|1[0-2])\.\d{4,5}$/;

const wordCount = (text: string) => text.split(/\s+/).filter((word) => word.length > 0).length;

/** One corpus entry; checks only, no transforms, so the papers read are exactly the papers written. */
function corpusPaperSchema(slugs: ReadonlySet<string>) {
  return z
    .object({
      arxivId: z.string().regex(CORPUS_ARXIV_ID, 'must look like YYMM.NNNNN'),
      title: z.string().refine((text) => text.trim().length >= 3, 'must have at least 3 characters'),
      abstract: z.string().refine((text) => wordCount(text) >= MIN_ABSTRACT_WORDS && wordCount(text) <= MAX_ABSTRACT_WORDS, {
        message: `must have ${MIN_ABSTRACT_WORDS}-${MAX_ABSTRACT_WORDS} words`,
      }),
      categories: z.array(z.string().regex(/^[a-z-]+(\.[A-Za-z-]+)?$/, 'must be an arXiv category')).min(1),
      publishedAt: z.iso.date(),
      /** Empty for a negative: a paper that belongs to no topic. */
      topics: z
        .array(z.string().refine((slug) => slugs.has(slug), 'is not a slug in seeds/topics.json'))
        .max(3)
        .refine((topics) => new Set(topics).size === topics.length, 'must not repeat a slug'),
    })
    .strict()
    .superRefine((paper, context) => {
      // The id's YYMM is the month of the first version, so the date must fall in it.
      const idMonth = `20${paper.arxivId.slice(0, 2)}-${paper.arxivId.slice(2, 4)}`;
      if (!paper.publishedAt.startsWith(idMonth)) {
        context.addIssue({ code: 'custom', path: ['publishedAt'], message: `must fall in ${idMonth}, the id's month` });
      }
      if (paper.topics.includes('diffusion-models') && !paper.topics.includes('generative-models')) {
        context.addIssue({ code: 'custom', path: ['topics'], message: 'diffusion-models papers are also generative-models' });
      }
    });
}

type TCorpusPaper = z.infer<ReturnType<typeof corpusPaperSchema>>;

/** A part file as read: its name and its parsed JSON. */
export type TCorpusPart = { file: string; entries: unknown };

// Entries are checked one by one, so that one bad paper does not hide the others.
function parsePart({ file, entries }: TCorpusPart, ZCorpusPaper: ReturnType<typeof corpusPaperSchema>, problems: string[]): TCorpusPaper[] {
  if (!Array.isArray(entries) || entries.length === 0) {
    problems.push(`${file}: must be a non-empty JSON array of papers`);
    return [];
  }
  return entries.flatMap((entry: unknown, index) => {
    const parsed = ZCorpusPaper.safeParse(entry);
    if (parsed.success) return [parsed.data];
    problems.push(...parsed.error.issues.map((issue) => `${file} #${index}: [${issue.path.join('.') || 'paper'}] ${issue.message}`));
    return [];
  });
}

function checkIds(parts: { file: string; papers: TCorpusPaper[] }[], sampleIds: ReadonlySet<string>, problems: string[]) {
  const seenIn = new Map<string, string>();
  for (const { file, papers: partPapers } of parts) {
    for (const { arxivId } of partPapers) {
      const earlier = seenIn.get(arxivId);
      if (earlier !== undefined) problems.push(`${file}: arXiv id ${arxivId} already used in ${earlier}`);
      if (sampleIds.has(arxivId)) problems.push(`${file}: arXiv id ${arxivId} is a made-up id from seeds/papers.json`);
      seenIn.set(arxivId, file);
    }
  }
}

/**
 * A held-out paper must not be a tuning paper under another id (the same title, as a sample paper
 * with a made-up id or twice in the corpus): the model would be measured on a paper it learned.
 */
function checkHeldOutUnseen(parts: { file: string; papers: TCorpusPaper[] }[], sampleTitles: ReadonlySet<string>, problems: string[]) {
  const papers = parts.flatMap(({ file, papers: partPapers }) => partPapers.map((paper) => ({ file, ...paper })));
  const tuningTitles = new Set([...sampleTitles, ...papers.filter((paper) => !isHeldOut(paper.arxivId)).map((paper) => paper.title)].map(titleKey));
  for (const { file, arxivId, title } of papers) {
    if (isHeldOut(arxivId) && tuningTitles.has(titleKey(title))) problems.push(`${file}: held-out paper ${arxivId} has the title of a tuning paper ("${title}")`);
  }
}

const titleKey = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

function checkCoverage(corpus: TCorpusPaper[], slugs: readonly string[], problems: string[]) {
  for (const slug of slugs) {
    const count = corpus.filter((paper) => paper.topics.includes(slug)).length;
    if (count < MIN_POSITIVES_PER_TOPIC) problems.push(`topic ${slug} has ${count} positive papers, fewer than ${MIN_POSITIVES_PER_TOPIC}`);
  }
}

/**
 * The corpus rules (seeds/README.md): each entry's fields, ids unique and apart from the sample
 * papers', no held-out paper that is also a tuning paper, and enough positives for every topic.
 * Returns the corpus papers as written; throws a SeedFileError naming every problem, so one bad
 * entry does not hide the others.
 */
export function checkCorpus({
  parts,
  slugs,
  sampleIds,
  sampleTitles = new Set(),
}: {
  parts: TCorpusPart[];
  slugs: readonly string[];
  sampleIds: ReadonlySet<string>;
  sampleTitles?: ReadonlySet<string>;
}): TCorpusPaper[] {
  const problems: string[] = [];
  if (parts.length === 0) problems.push('no papers.partN.json files');
  const ZCorpusPaper = corpusPaperSchema(new Set(slugs));
  const parsed = parts.map((part) => ({ file: part.file, papers: parsePart(part, ZCorpusPaper, problems) }));
  checkIds(parsed, sampleIds, problems);
  checkHeldOutUnseen(parsed, sampleTitles, problems);
  const corpus = parsed.flatMap((part) => part.papers);
  checkCoverage(corpus, slugs, problems);
  if (problems.length > 0) throw new SeedFileError(`seeds/corpus: ${problems.length} problem(s)\n${problems.join('\n')}`);
  return corpus;
}

function readCorpusParts(): TCorpusPart[] {
  const files = readdirSync(repoPath('seeds', 'corpus')).filter((file) => /^papers\.part\d+\.json$/.test(file)).sort();
  return files.map((file) => {
    try {
      return { file, entries: JSON.parse(readFileSync(repoPath('seeds', 'corpus', file), 'utf8')) as unknown };
    } catch (error) {
      throw new SeedFileError(`seeds/corpus/${file}: not valid JSON (${(error as Error).message})`);
    }
  });
}

const toLabelledPaper = ({ topics: slugsOfPaper, ...paper }: TCorpusPaper): TLabelledPaper => ({
  ...ZPaper.parse({ ...paper, publishedAt: `${paper.publishedAt}T00:00:00Z` }),
  topics: slugsOfPaper,
});

/**
 * Every labelled paper, split once: `tuning` (sample papers and two thirds of the corpus) and
 * `heldOut`. Refuses a corpus that breaks a rule of checkCorpus.
 */
export function readLabelledPapers(): { tuning: TLabelledPaper[]; heldOut: TLabelledPaper[] } {
  const slugs = readSeedTopics().map((topic) => topic.slug);
  const labels = z.record(z.string(), z.array(z.string())).parse(JSON.parse(readFileSync(repoPath('seeds', 'labels.json'), 'utf8')));
  const samples = readSeedPapers().map((paper) => ({ ...paper, topics: labels[paper.arxivId] ?? [] }));
  const corpus = checkCorpus({
    parts: readCorpusParts(),
    slugs,
    sampleIds: new Set(samples.map((paper) => paper.arxivId)),
    sampleTitles: new Set(samples.map((paper) => paper.title)),
  });
  const labelled = corpus.map(toLabelledPaper);
  return { tuning: [...samples, ...labelled.filter((paper) => !isHeldOut(paper.arxivId))], heldOut: labelled.filter((paper) => isHeldOut(paper.arxivId)) };
}

/** sha256 over the training papers, their labels and the topic terms, in a stable order. */
export function trainingDataHash({ papers: labelled, topicTerms }: { papers: TLabelledPaper[]; topicTerms: { slug: string; terms: unknown }[] }): string {
  const rows = labelled
    .map((paper) => [paper.arxivId, paper.title, paper.abstract, paper.categories, [...paper.topics].sort()])
    .sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
  const terms = [...topicTerms].sort((a, b) => (a.slug < b.slug ? -1 : 1)).map((topic) => [topic.slug, topic.terms]);
  return createHash('sha256').update(JSON.stringify({ rows, terms })).digest('hex');
}

/** The labelled papers as training rows, with every topic's term-list evidence scored by the database they are stored in. */
export async function toTrainingPapers({ db, labelled }: { db: TDb; labelled: TLabelledPaper[] }): Promise<TTrainingPaper[]> {
  const stored = await db
    .select({ id: papers.id, arxivId: papers.arxivId })
    .from(papers)
    .where(inArray(papers.arxivId, labelled.map((paper) => paper.arxivId)));
  const idOf = new Map(stored.map((row) => [row.arxivId, row.id]));
  const topicRows = await db.select({ id: topics.id, slug: topics.slug, terms: topics.terms }).from(topics);
  const hits = await readTermHits({ db, topicRows, paperScope: sql`p.id = any(${sqlArray(stored.map((row) => row.id), 'bigint')})` });
  return labelled.map((paper) => {
    const id = idOf.get(paper.arxivId);
    if (id === undefined) throw new Error(`Paper ${paper.arxivId} is not stored`);
    const bySlug = new Map(topicRows.flatMap((topic) => {
      const hit = hits.get(hitKey(id, topic.id));
      return hit ? [[topic.slug, hit] as const] : [];
    }));
    return { arxivId: paper.arxivId, title: paper.title, abstract: paper.abstract, categories: paper.categories, topics: paper.topics, hits: bySlug };
  });
}

/** Stores the seed topics and the labelled papers (unmatched) in a scratch database. */
export async function storeLabelledPapers({ db, labelled }: { db: TDb; labelled: TLabelledPaper[] }) {
  await db.insert(topics).values(readSeedTopics()).onConflictDoNothing({ target: topics.slug });
  return storePapers({ db, papers: labelled.map(({ topics: _, ...paper }) => paper), source: 'labelled' });
}
