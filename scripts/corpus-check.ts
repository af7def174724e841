// `npx tsx scripts/corpus-check.ts`: validates the labelled evaluation corpus in
// seeds/corpus/papers.part*.json and prints how many papers each topic has. Exits 1 on any
// problem, so a hand edit that breaks an id, a slug or the labelling rules is caught before
// a classifier is trained or measured on it.
import { readdirSync, readFileSync } from 'node:fs';
import { repoPath } from '@paperboy/runtime';
import { z } from 'zod';

const MIN_ABSTRACT_WORDS = 60;
const MAX_ABSTRACT_WORDS = 140;
// Each topic needs enough positives for a per-topic score on a held-out slice to mean something.
const MIN_POSITIVES_PER_TOPIC = 16;
const PART_FILE = /^papers\.part(\d+)\.json$/;
const ARXIV_ID = /^\d{2}(0[1-9]|1[0-2])\.\d{4,5}$/;

const ZTopics = z.array(z.object({ slug: z.string().min(1) }).loose()).min(1);
const ZSamplePapers = z.array(z.object({ arxivId: z.string() }).loose());

function wordCount(text: string): number {
  return text.split(/\s+/).filter((word) => word.length > 0).length;
}

function createPaperSchema(slugs: ReadonlySet<string>) {
  return z
    .object({
      // New-style arXiv ids only: YYMM.NNNN (until 2014) or YYMM.NNNNN, with a real month.
      arxivId: z.string().regex(ARXIV_ID, 'must look like YYMM.NNNNN'),
      title: z.string().trim().min(3),
      abstract: z
        .string()
        .trim()
        .refine((text) => wordCount(text) >= MIN_ABSTRACT_WORDS && wordCount(text) <= MAX_ABSTRACT_WORDS, {
          message: `must have ${MIN_ABSTRACT_WORDS}-${MAX_ABSTRACT_WORDS} words`,
        }),
      categories: z.array(z.string().regex(/^[a-z-]+(\.[A-Za-z-]+)?$/, 'must be an arXiv category')).min(1),
      publishedAt: z.iso.date(),
      topics: z
        .array(z.string().refine((slug) => slugs.has(slug), { message: 'is not a slug in seeds/topics.json' }))
        .max(3)
        .refine((topics) => new Set(topics).size === topics.length, { message: 'must not repeat a slug' }),
    })
    .strict()
    .superRefine((paper, context) => {
      // The id's YYMM is the month of the first version, so the date must fall in it.
      const idMonth = `20${paper.arxivId.slice(0, 2)}-${paper.arxivId.slice(2, 4)}`;
      if (ARXIV_ID.test(paper.arxivId) && !paper.publishedAt.startsWith(idMonth)) {
        context.addIssue({ code: 'custom', path: ['publishedAt'], message: `must fall in ${idMonth}, the id's month` });
      }
      if (paper.topics.includes('diffusion-models') && !paper.topics.includes('generative-models')) {
        context.addIssue({ code: 'custom', path: ['topics'], message: 'diffusion-models papers are also generative-models' });
      }
    });
}

type TPaper = z.infer<ReturnType<typeof createPaperSchema>>;
type TPart = { file: string; papers: TPaper[] };

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function listPartFiles(): string[] {
  return readdirSync(repoPath('seeds', 'corpus'))
    .filter((name) => PART_FILE.test(name))
    .sort((a, b) => Number(PART_FILE.exec(a)?.[1]) - Number(PART_FILE.exec(b)?.[1]));
}

function describeIssues(where: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => `${where}: [${issue.path.join('.') || 'root'}] ${issue.message}`);
}

// Papers are validated one by one so that one bad entry does not hide the others from the
// id and coverage checks.
function readPart(file: string, ZPaper: ReturnType<typeof createPaperSchema>, problems: string[]): TPart {
  let entries: unknown;
  try {
    entries = readJson(repoPath('seeds', 'corpus', file));
  } catch (error) {
    problems.push(`${file}: not valid JSON (${(error as Error).message})`);
    return { file, papers: [] };
  }
  if (!Array.isArray(entries) || entries.length === 0) {
    problems.push(`${file}: must be a non-empty JSON array of papers`);
    return { file, papers: [] };
  }
  const papers: TPaper[] = [];
  entries.forEach((entry: unknown, index) => {
    const parsed = ZPaper.safeParse(entry);
    if (parsed.success) papers.push(parsed.data);
    else problems.push(...describeIssues(`${file} #${index}`, parsed.error));
  });
  return { file, papers };
}

function readParts(slugs: ReadonlySet<string>, problems: string[]): TPart[] {
  const ZPaper = createPaperSchema(slugs);
  const parts = listPartFiles().map((file) => readPart(file, ZPaper, problems));
  if (parts.length === 0) problems.push('no seeds/corpus/papers.partN.json files found');
  return parts;
}

function checkIds(parts: TPart[], sampleIds: ReadonlySet<string>, problems: string[]): void {
  const seenIn = new Map<string, string>();
  for (const { file, papers } of parts) {
    for (const { arxivId } of papers) {
      const earlier = seenIn.get(arxivId);
      if (earlier !== undefined) problems.push(`${file}: arXiv id ${arxivId} already used in ${earlier}`);
      if (sampleIds.has(arxivId)) problems.push(`${file}: arXiv id ${arxivId} is a made-up id from seeds/papers.json`);
      seenIn.set(arxivId, file);
    }
  }
}

function countPositives(papers: TPaper[], slugs: readonly string[]): Map<string, number> {
  const counts = new Map(slugs.map((slug) => [slug, 0]));
  for (const paper of papers) {
    for (const slug of paper.topics) counts.set(slug, (counts.get(slug) ?? 0) + 1);
  }
  return counts;
}

function report(parts: TPart[], slugs: readonly string[], problems: string[]): void {
  const papers = parts.flatMap((part) => part.papers);
  const counts = countPositives(papers, slugs);
  const width = Math.max(...slugs.map((slug) => slug.length));
  const lines = slugs.map((slug) => `  ${slug.padEnd(width)}  ${String(counts.get(slug)).padStart(3)}`);
  const negatives = papers.filter((paper) => paper.topics.length === 0).length;
  process.stdout.write(
    `${papers.length} papers in ${parts.length} files, ${negatives} with no topic\n` +
      `positives per topic:\n${lines.join('\n')}\n`,
  );
  for (const slug of slugs) {
    const count = counts.get(slug) ?? 0;
    if (count < MIN_POSITIVES_PER_TOPIC) {
      problems.push(`topic ${slug} has ${count} positive papers, fewer than ${MIN_POSITIVES_PER_TOPIC}`);
    }
  }
}

function main(): number {
  const problems: string[] = [];
  const slugs = ZTopics.parse(readJson(repoPath('seeds', 'topics.json'))).map((topic) => topic.slug);
  const sampleIds = new Set(ZSamplePapers.parse(readJson(repoPath('seeds', 'papers.json'))).map((paper) => paper.arxivId));
  const parts = readParts(new Set(slugs), problems);
  checkIds(parts, sampleIds, problems);
  report(parts, slugs, problems);
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  if (problems.length > 0) process.stderr.write(`${problems.length} problem(s) in the corpus\n`);
  return problems.length > 0 ? 1 : 0;
}

process.exitCode = main();
