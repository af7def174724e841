import { readdirSync, readFileSync } from 'node:fs';
import { repoPath } from '@paperboy/config';
import { z } from 'zod';
import { ZPaper } from '../papers/papers.schemas.ts';
import { ZTopicSlug } from '../topics/topics.schemas.ts';
import type { TRandom } from './ranking.eval-readers.ts';
import type { TEvalPaper } from './ranking.eval.ts';

// Corpus papers carry a publication date, not a time, and may have no topic at all.
const ZCorpusPaper = ZPaper.extend({ publishedAt: z.iso.date().transform((date) => `${date}T00:00:00.000Z`), topics: z.array(ZTopicSlug) });
const ZLabels = z.record(z.string(), z.array(ZTopicSlug));

export class EvalCorpusError extends Error {}

function readJson<T extends z.ZodType>(relativePath: string[], schema: T): z.output<T> {
  const result = schema.safeParse(JSON.parse(readFileSync(repoPath(...relativePath), 'utf8')));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new EvalCorpusError(`${relativePath.join('/')}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return result.data;
}

/**
 * The labelled papers: the evaluation corpus (seeds/corpus/papers.part*.json, each paper with its
 * topics) and the sample papers with seeds/labels.json. The corpus carries no upvotes; each such
 * paper gets a random count, heavy-tailed like real ones and unrelated to any reader's interest,
 * so the trending signal is noise the learned ranking has to see past.
 */
export function readRankingEvalPapers({ random }: { random: TRandom }): TEvalPaper[] {
  const parts = readdirSync(repoPath('seeds', 'corpus'))
    .filter((file) => /^papers\.part\d+\.json$/.test(file))
    .sort();
  const corpus = parts.flatMap((file) => readJson(['seeds', 'corpus', file], z.array(ZCorpusPaper)));
  const labels = readJson(['seeds', 'labels.json'], ZLabels);
  const samples = readJson(['seeds', 'papers.json'], z.array(ZPaper));
  const fromCorpus = corpus.map(({ topics, ...paper }) => ({ ...paper, upvotes: paper.upvotes || Math.floor(random.next() ** 3 * 500), labels: topics }));
  const fromSamples = samples.filter((paper) => labels[paper.arxivId]).map((paper) => ({ ...paper, labels: labels[paper.arxivId]! }));
  const seen = new Set(fromCorpus.map((paper) => paper.arxivId));
  return [...fromCorpus, ...fromSamples.filter((paper) => !seen.has(paper.arxivId))];
}
