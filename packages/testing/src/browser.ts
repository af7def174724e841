import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { repoPath } from '@paperboy/runtime';
import { chromium, type Browser } from 'playwright-core';

// Debian's Chromium, not a downloaded build: this machine reaches no browser CDN. The flags
// keep it from calling home, which the closed network would refuse at every start.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Where screenshots go: test-artifacts/<folder>/ at the repository root (ignored by git, kept by CI). */
export async function artifactPath(folder: string, file: string): Promise<string> {
  const dir = repoPath('test-artifacts', folder);
  await mkdir(dir, { recursive: true });
  return join(dir, file);
}
