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
import { ZArxivId, ZPaper, type TPaper } from '../papers/papers.schemas.ts';
import { storePapers } from '../papers/papers.usecases.ts';
import { readSeedPapers, readSeedTopics, SeedFileError } from '../seed/seed.usecases.ts';
import type { TTrainingPaper } from './matching.training.ts';
import { hitKey } from './matching.predict.ts';
import { readTermHits } from './matching.usecases.ts';

export const HELD_OUT_FIRST_BYTE_BELOW = 0x55;

export const isHeldOut = (arxivId: string) => createHash('sha256').update(arxivId).digest()[0]! < HELD_OUT_FIRST_BYTE_BELOW;

export type TLabelledPaper = TPaper & { topics: string[] };

const ZCorpusPaper = z.object({
  arxivId: ZArxivId,
  title: z.string().min(1),
  abstract: z.string().min(1),
  categories: z.array(z.string()),
  publishedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2024-03-01'),
  /** Empty for a negative: a paper that belongs to no topic. */
  topics: z.array(z.string()),
});

function readCorpusFile(file: string, slugs: Set<string>): TLabelledPaper[] {
  const result = z.array(ZCorpusPaper).safeParse(JSON.parse(readFileSync(repoPath('seeds', 'corpus', file), 'utf8')));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new SeedFileError(`seeds/corpus/${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  for (const [index, paper] of result.data.entries()) {
    const unknown = paper.topics.find((slug) => !slugs.has(slug));
    if (unknown) throw new SeedFileError(`seeds/corpus/${file}: ${index}.topics: no topic "${unknown}"`);
  }
  return result.data.map(({ topics: slugsOfPaper, ...paper }) => ({ ...ZPaper.parse({ ...paper, publishedAt: `${paper.publishedAt}T00:00:00Z` }), topics: slugsOfPaper }));
}

/** Every labelled paper, split once: `tuning` (sample papers and two thirds of the corpus) and `heldOut`. */
export function readLabelledPapers(): { tuning: TLabelledPaper[]; heldOut: TLabelledPaper[] } {
  const slugs = new Set(readSeedTopics().map((topic) => topic.slug));
  const labels = z.record(z.string(), z.array(z.string())).parse(JSON.parse(readFileSync(repoPath('seeds', 'labels.json'), 'utf8')));
  const samples = readSeedPapers().map((paper) => ({ ...paper, topics: labels[paper.arxivId] ?? [] }));
  const sampleIds = new Set(samples.map((paper) => paper.arxivId));
  const files = readdirSync(repoPath('seeds', 'corpus')).filter((file) => /^papers\.part.*\.json$/.test(file)).sort();
  const corpus = files.flatMap((file) => readCorpusFile(file, slugs)).filter((paper) => !sampleIds.has(paper.arxivId));
  const unique = [...new Map(corpus.map((paper) => [paper.arxivId, paper])).values()];
  return { tuning: [...samples, ...unique.filter((paper) => !isHeldOut(paper.arxivId))], heldOut: unique.filter((paper) => isHeldOut(paper.arxivId)) };
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
