import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { workspaces } = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
      if (workspaces) return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No workspace root above ${start}`);
    dir = parent;
  }
}

// Looked up on first use, not at import: importing a package must not touch the file system.
let root: string | undefined;

/** A path inside the repository (migrations/, templates/, seeds/), wherever the code runs from. */
export function repoPath(...segments: string[]): string {
  root ??= findRepoRoot(dirname(fileURLToPath(import.meta.url)));
  return resolve(root, ...segments);
}
