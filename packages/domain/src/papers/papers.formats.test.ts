import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/errors.ts';
import { MAX_ITEMS_PER_BATCH, parsePaperBatch } from './papers.formats.ts';
import { normalizeTitle } from './papers.normalize.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function unparseableCode(run: () => unknown) {
  try {
    run();
  } catch (error) {
    return error instanceof AppError ? `${error.status} ${error.code}` : 'other error';
  }
  return 'no error';
}

describe('telling ingest formats apart and validating each item', () => {
  it('reads a Hugging Face daily papers response into Paperboy papers, with the upvotes and links', () => {
    const batch = parsePaperBatch({ body: fixture('hf-daily-papers.json'), contentType: 'application/json; charset=utf-8' });
    expect(batch.format).toBe('huggingface');
    expect(batch.rejected).toEqual([]);
    expect(batch.papers.map(({ paper }) => paper.arxivId)).toEqual(['2403.08295', '2403.09611', '2403.10131']);
    const [first, second] = batch.papers.map(({ paper }) => paper);
    expect(first).toMatchObject({
      title: 'GPTQ-Lite: Accurate 3-bit Post-Training Quantization for Large Language Models',
      authors: ['Wei Zhang', 'Maria Garcia'],
      upvotes: 142,
      githubRepo: 'https://github.com/example/gptq-lite',
      publishedAt: '2024-03-13T08:12:41.000Z',
    });
    expect(first!.abstract).not.toContain('\n');
    expect(second).toMatchObject({ title: 'Score Distillation for One-Step Text-to-3D Diffusion', githubRepo: undefined, projectPage: 'https://example.org/one-step-3d' });
  });

  it('reads an arXiv Atom feed, dropping the version from the id and the markup from the title', () => {
    const batch = parsePaperBatch({ body: fixture('arxiv-feed.atom.xml'), contentType: 'application/atom+xml' });
    expect(batch.format).toBe('arxiv-atom');
    expect(batch.rejected).toEqual([]);
    expect(batch.papers.map(({ paper }) => paper.arxivId)).toEqual(['2401.01234', '2401.05678', '2401.09999']);
    expect(batch.papers[0]!.paper).toMatchObject({
      title: 'Sparse Variational Inference for Deep Gaussian Processes with O(m^2) Cost',
      authors: ['Hannah Müller', 'Kwame Mensah'],
      categories: ['stat.ML', 'cs.LG'],
      publishedAt: '2024-01-02T18:59:59Z',
      upvotes: 0,
    });
    expect(batch.papers[1]!.paper.title).toBe('Tensor-Train Compression of Embedding Tables & Beyond');
  });

  it('recognises an Atom feed by its shape when the content type says nothing', () => {
    expect(parsePaperBatch({ body: fixture('arxiv-feed.atom.xml') }).format).toBe('arxiv-atom');
  });

  it('reads Paperboy JSON Lines, by content type or by shape', () => {
    expect(parsePaperBatch({ body: fixture('paperboy.jsonl'), contentType: 'application/x-ndjson' })).toMatchObject({ format: 'paperboy-jsonl', received: 2, rejected: [] });
    expect(parsePaperBatch({ body: fixture('paperboy.jsonl'), contentType: 'application/json' }).format).toBe('paperboy-jsonl');
  });

  it('reads a Paperboy JSON array', () => {
    const papers = fixture('paperboy.jsonl').trim().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(parsePaperBatch({ body: JSON.stringify(papers) })).toMatchObject({ format: 'paperboy-json', received: 2, rejected: [] });
  });

  it('reports each bad item by index with the field at fault, in the sender’s own field names, and keeps the good ones', () => {
    const items = JSON.parse(fixture('hf-daily-papers.json')) as { paper: Record<string, unknown> }[];
    items[0]!.paper.id = 'not-an-id';
    delete items[2]!.paper.summary;
    delete (items[2] as { summary?: string }).summary;
    const batch = parsePaperBatch({ body: JSON.stringify(items) });
    expect(batch.papers.map(({ index }) => index)).toEqual([1]);
    expect(batch.rejected).toEqual([
      { index: 0, field: 'paper.id', reason: expect.stringContaining('paper.id: must be an arXiv id') as string },
      { index: 2, field: 'paper.summary', reason: expect.stringContaining('paper.summary') as string },
    ]);
  });

  it('reports a JSON Lines line that is not JSON by its index', () => {
    const body = `${fixture('paperboy.jsonl').trim()}\n{"arxivId": oops}\n`;
    expect(parsePaperBatch({ body, contentType: 'application/jsonl' }).rejected).toEqual([{ index: 2, reason: 'is not valid JSON' }]);
  });

  it('refuses a body that is none of the formats, and XML that is not a feed, as unparseable', () => {
    expect(unparseableCode(() => parsePaperBatch({ body: 'hello there' }))).toBe('400 papers.unparseable');
    expect(unparseableCode(() => parsePaperBatch({ body: '<html><body>hi</body></html>', contentType: 'text/xml' }))).toBe('400 papers.unparseable');
    expect(unparseableCode(() => parsePaperBatch({ body: '<feed><entry>', contentType: 'application/atom+xml' }))).toBe('400 papers.unparseable');
    expect(unparseableCode(() => parsePaperBatch({ body: '   ' }))).toBe('400 papers.unparseable');
  });

  it(`refuses more than ${MAX_ITEMS_PER_BATCH} items with a 413`, () => {
    const body = JSON.stringify(Array.from({ length: MAX_ITEMS_PER_BATCH + 1 }, () => ({})));
    expect(unparseableCode(() => parsePaperBatch({ body }))).toBe('413 papers.too_many_items');
  });
});

describe('normalizing titles for display', () => {
  it.each([
    ['Scaling $\\alpha$-Entmax to \\textbf{Large}\n   Models', 'Scaling α-Entmax to Large Models'],
    ['Q\\&A with {BERT}: a 50\\% cut -- really', 'Q&A with BERT: a 50% cut – really'],
    ['\\emph{Fast} $\\mathcal{O}(n \\log n)$ sampling', 'Fast O(n log n) sampling'],
    ['  Plain   title ', 'Plain title'],
  ])('%j reads %j', (raw, expected) => expect(normalizeTitle(raw)).toBe(expected));
});
