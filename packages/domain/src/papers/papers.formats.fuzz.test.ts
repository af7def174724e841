import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/errors.ts';
import { parsePaperBatch } from './papers.formats.ts';
import { ZPaper } from './papers.schemas.ts';

const NUM_RUNS = 200;

// Any outcome but these is a bug: a batch whose every paper is whole and every rejection says
// why, or a 4xx AppError for a body that cannot be read at all.
function checkOutcome(body: string, contentType: string) {
  let batch;
  try {
    batch = parsePaperBatch({ body, contentType });
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBeGreaterThanOrEqual(400);
    expect((error as AppError).status).toBeLessThan(500);
    return;
  }
  expect(batch.papers.length + batch.rejected.length).toBe(batch.received);
  for (const { paper } of batch.papers) expect(ZPaper.safeParse(paper).success).toBe(true);
  for (const rejected of batch.rejected) {
    expect(rejected.reason.length).toBeGreaterThan(0);
    if (rejected.field) expect(rejected.reason).toContain(rejected.field);
  }
}

const text = fc.oneof(fc.string(), fc.constantFrom('', '  ', 'a\r\nb', '$\\alpha$ \\textbf{x}', '<b>x</b>', '\uFEFF', '\u0000'));
const item = fc.record(
  {
    arxivId: fc.oneof(fc.constantFrom('2401.01234', '2401.01234v3', 'http://arxiv.org/abs/2401.01234v1'), fc.string()),
    title: text,
    abstract: text,
    authors: fc.oneof(fc.array(text, { maxLength: 3 }), fc.jsonValue()),
    upvotes: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
    publishedAt: fc.oneof(fc.date({ noInvalidDate: true }).map((date) => date.toISOString()), text),
  },
  { requiredKeys: [] },
);

describe('fuzzing the ingest format parsers', () => {
  it('Paperboy JSON: any array of (mostly) papers gives whole papers or rejections that name the field', () => {
    fc.assert(fc.property(fc.array(fc.oneof(item, fc.jsonValue()), { maxLength: 5 }), (items) => checkOutcome(JSON.stringify(items), 'application/json')), {
      numRuns: NUM_RUNS,
    });
  });

  it('Hugging Face JSON: any `paper` wrapper gives whole papers or rejections in the sender’s field names', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ paper: fc.oneof(item, fc.jsonValue()) }), { minLength: 1, maxLength: 5 }), (items) => checkOutcome(JSON.stringify(items), 'application/json')),
      { numRuns: NUM_RUNS },
    );
  });

  it('JSON Lines: any mix of JSON and broken lines is read line by line', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(item.map((value) => JSON.stringify(value)), fc.string()), { maxLength: 6 }), (lines) => checkOutcome(lines.join('\n'), 'application/x-ndjson')),
      { numRuns: NUM_RUNS },
    );
  });

  it('Atom XML: any entries, and any text sent as XML, never escape as anything but a 4xx', () => {
    const entry = fc
      .record({ id: text, title: text, summary: text, author: text })
      .map((e) => `<entry><id>${e.id}</id><title>${e.title}</title><summary>${e.summary}</summary><author><name>${e.author}</name></author></entry>`);
    fc.assert(
      fc.property(fc.oneof(fc.array(entry, { maxLength: 4 }).map((entries) => `<feed>${entries.join('')}</feed>`), fc.string().map((s) => `<${s}`)), (body) =>
        checkOutcome(body, 'application/atom+xml'),
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('Atom XML the validator passes but the parser cannot read is a 4xx (a counterexample the fuzzer found)', () => {
    checkOutcome('<A/', 'application/atom+xml');
  });

  it('any text with any content type never throws anything but a 4xx', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.constantFrom('', 'application/json', 'application/jsonl', 'text/xml', 'text/plain'), (body, type) => checkOutcome(body, type)),
      { numRuns: NUM_RUNS },
    );
  });
});
