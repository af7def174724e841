import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoPath } from '@paperboy/runtime';

export type TFuzzFigure = { suite: string; runs: number; cases: number };

const FILE = repoPath('test-artifacts', 'security', 'fuzz.json');

/**
 * Records how many fast-check runs a property made, so README figures come from a real run:
 * test-artifacts/security/fuzz.json, one entry per property (files run in parallel, so
 * read-merge-write; a lost race only loses a figure, never a result).
 */
export async function recordFuzz(figure: TFuzzFigure): Promise<void> {
  await mkdir(join(FILE, '..'), { recursive: true });
  let all: TFuzzFigure[] = [];
  try {
    all = JSON.parse(await readFile(FILE, 'utf8')) as TFuzzFigure[];
  } catch {
    // first figure of this run
  }
  all = [...all.filter((entry) => entry.suite !== figure.suite), figure].sort((a, b) => a.suite.localeCompare(b.suite));
  await writeFile(FILE, `${JSON.stringify(all, null, 2)}\n`);
}

/** Every JSON error body names a stable code and a message; a 400 names the fields it refused. */
export function isErrorBody(body: unknown): body is { error: { code: string; message: string; details?: unknown } } {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}
