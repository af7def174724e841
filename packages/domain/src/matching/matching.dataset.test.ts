import { describe, expect, it } from 'vitest';
import { SeedFileError } from '../seed/seed.usecases.ts';
import { checkCorpus, isHeldOut, readLabelledPapers, type TCorpusPart } from './matching.dataset.ts';

const SLUGS = ['diffusion-models', 'generative-models'];
const ABSTRACT = 'word '.repeat(80).trim();

const paper = (n: number, topics: string[], changes: Record<string, unknown> = {}) => ({
  arxivId: `2403.${String(n).padStart(5, '0')}`,
  title: `Paper number ${n}`,
  abstract: ABSTRACT,
  categories: ['cs.LG'],
  publishedAt: '2024-03-15',
  topics,
  ...changes,
});

// Sixteen positives of each topic: the smallest corpus that passes the coverage rule.
const validEntries = () => Array.from({ length: 16 }, (_, n) => paper(n, ['diffusion-models', 'generative-models']));

/** The problems a refused corpus is refused for, one a line after the count. */
function problemsOf(parts: TCorpusPart[], sampleIds: string[] = [], sampleTitles: string[] = []): string[] {
  try {
    checkCorpus({ parts, slugs: SLUGS, sampleIds: new Set(sampleIds), sampleTitles: new Set(sampleTitles) });
  } catch (error) {
    expect(error).toBeInstanceOf(SeedFileError);
    const [count, ...problems] = (error as Error).message.split('\n');
    expect(count).toBe(`seeds/corpus: ${problems.length} problem(s)`);
    return problems;
  }
  return [];
}

describe('the labelled corpus rules', () => {
  it('accepts a corpus that keeps every rule and returns its papers as written', () => {
    const corpus = checkCorpus({ parts: [{ file: 'papers.part1.json', entries: validEntries() }], slugs: SLUGS, sampleIds: new Set() });
    expect(corpus).toEqual(validEntries());
  });

  it.each([
    ['an id with month 13', { arxivId: '2413.00001' }, '[arxivId] must look like YYMM.NNNNN'],
    ['an old-style id', { arxivId: 'hep-th/9901001' }, '[arxivId] must look like YYMM.NNNNN'],
    ['a date outside the id’s month', { publishedAt: '2024-04-01' }, "[publishedAt] must fall in 2024-03, the id's month"],
    ['a date that does not exist', { publishedAt: '2024-02-30' }, '[publishedAt]'],
    ['a short abstract', { abstract: 'too short' }, '[abstract] must have 60-140 words'],
    ['a long abstract', { abstract: 'word '.repeat(141) }, '[abstract] must have 60-140 words'],
    ['a blank title', { title: '  ' }, '[title] must have at least 3 characters'],
    ['no category', { categories: [] }, '[categories]'],
    ['an unknown slug', { topics: ['llms'] }, '[topics.0] is not a slug in seeds/topics.json'],
    ['a repeated slug', { topics: ['generative-models', 'generative-models'] }, '[topics] must not repeat a slug'],
    ['four topics', { topics: ['generative-models', 'generative-models', 'diffusion-models', 'diffusion-models'] }, '[topics]'],
    ['diffusion without generative', { topics: ['diffusion-models'] }, '[topics] diffusion-models papers are also generative-models'],
    ['a field the corpus does not have', { upvotes: 3 }, 'upvotes'],
  ])('names the entry and the field for %s', (_name, changes, message) => {
    const entries = [...validEntries(), paper(99, [], changes)];
    const problems = problemsOf([{ file: 'papers.part2.json', entries }]);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((problem) => problem.startsWith('papers.part2.json #16: '))).toBe(true);
    expect(problems.join('\n')).toContain(message);
  });

  it('reports every bad entry, not only the first', () => {
    const entries = [...validEntries(), paper(98, ['llms']), paper(99, [], { abstract: 'short' })];
    expect(problemsOf([{ file: 'papers.part1.json', entries }])).toEqual([
      'papers.part1.json #16: [topics.0] is not a slug in seeds/topics.json',
      'papers.part1.json #17: [abstract] must have 60-140 words',
    ]);
  });

  it('refuses an id used twice, across files, and an id of a sample paper', () => {
    const parts = [
      { file: 'papers.part1.json', entries: validEntries() },
      { file: 'papers.part2.json', entries: [paper(3, []), paper(50, [])] },
    ];
    expect(problemsOf(parts, ['2403.00050'])).toEqual([
      'papers.part2.json: arXiv id 2403.00003 already used in papers.part1.json',
      'papers.part2.json: arXiv id 2403.00050 is a made-up id from seeds/papers.json',
    ]);
  });

  it('refuses a held-out paper that is a tuning paper under another id: a sample paper or a tuning corpus paper of the same title', () => {
    const numbers = Array.from({ length: 100 }, (_, n) => 100 + n);
    const [first, second] = numbers.filter((n) => isHeldOut(paper(n, []).arxivId));
    const [tuned] = numbers.filter((n) => !isHeldOut(paper(n, []).arxivId));
    const entries = [
      ...validEntries(),
      paper(tuned!, [], { title: 'Attention Is All You Need' }),
      paper(first!, [], { title: 'Attention is all you need!' }),
      paper(second!, [], { title: 'A Sample Paper' }),
    ];
    expect(problemsOf([{ file: 'papers.part1.json', entries }], [], ['A sample paper'])).toEqual([
      `papers.part1.json: held-out paper ${paper(first!, []).arxivId} has the title of a tuning paper ("Attention is all you need!")`,
      `papers.part1.json: held-out paper ${paper(second!, []).arxivId} has the title of a tuning paper ("A Sample Paper")`,
    ]);
  });

  it('refuses a topic with fewer than 16 positives, a part that is not a list of papers, and no parts at all', () => {
    expect(problemsOf([{ file: 'papers.part1.json', entries: validEntries().slice(1) }])).toEqual([
      'topic diffusion-models has 15 positive papers, fewer than 16',
      'topic generative-models has 15 positive papers, fewer than 16',
    ]);
    expect(problemsOf([...[{ file: 'papers.part1.json', entries: validEntries() }], { file: 'papers.part2.json', entries: {} }])).toEqual([
      'papers.part2.json: must be a non-empty JSON array of papers',
    ]);
    expect(problemsOf([])).toContain('no papers.partN.json files');
  });
});

describe('the labelled papers the seeds ship', () => {
  it('keep every corpus rule and split into tuning and held-out parts by the fixed hash rule', () => {
    const { tuning, heldOut } = readLabelledPapers();
    expect(heldOut.length).toBeGreaterThan(0);
    expect(heldOut.every((labelled) => isHeldOut(labelled.arxivId))).toBe(true);
    expect(new Set([...tuning, ...heldOut].map((labelled) => labelled.arxivId)).size).toBe(tuning.length + heldOut.length);
  });
});
