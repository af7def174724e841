import { readFileSync } from 'node:fs';
import { repoPath } from '@paperboy/runtime';
import { useTestContext } from '@paperboy/testing';
import { describe, expect, it } from 'vitest';
import { seedDatabase } from '../seed/seed.usecases.ts';
import { evaluateMatching } from './matching.eval.ts';

// What `npm run eval:matching` reports is micro-F1 0.88; the floor sits just below it so that a
// change to the matcher or the topic terms that costs quality fails here.
const MICRO_F1_FLOOR = 0.86;

describe('matching quality on the labelled sample papers', () => {
  const context = useTestContext();

  it(`keeps micro-F1 at or above ${MICRO_F1_FLOOR}`, async () => {
    await seedDatabase({ db: context.database.db });
    const labels = JSON.parse(readFileSync(repoPath('seeds', 'labels.json'), 'utf8')) as Record<string, string[]>;
    const evaluation = await evaluateMatching({ db: context.database.db, labels });
    expect(evaluation.micro.f1).toBeGreaterThanOrEqual(MICRO_F1_FLOOR);
    expect(evaluation.macro.topics).toBe(14);
    expect(evaluation.topics.find((topic) => topic.slug === 'llms')?.f1).toBeGreaterThan(0.9);
  });
});
