import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { repoPath } from '@paperboy/runtime';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Peak resident set of a running process (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

export type TService = { child: ChildProcess; stop: () => Promise<number | null> };

/** Runs a bundled service (npm run build) as production would: plain node, no TypeScript loader. */
export function startService({ entry, env, profileDir }: { entry: 'api' | 'worker'; env: Record<string, string>; profileDir?: string }): TService {
  const file = entry === 'api' ? 'services/api/dist/server.js' : 'services/worker/dist/main.js';
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, repoPath(file)], {
    // The child gets only what the benchmark sets, plus PATH to find its tools.
    // eslint-disable-next-line no-restricted-properties -- PATH is not configuration
    env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** postfix's smtp-sink on 127.0.0.1: accepts everything, as fast as a relay can, and counts. */
export async function startSink(): Promise<{ url: string; port: number; pid: number; accepted: () => number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn('smtp-sink', ['-u', 'root', '-c', '-m', '1000', `127.0.0.1:${port}`, '1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let last = '';
  child.stdout.on('data', (chunk: Buffer) => {
    last = (last + chunk.toString()).slice(-200);
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    // -c prints running counters: "sess=1 quit=0 mesg=1234".
    accepted: () => Number(/mesg=(\d+)(?!.*mesg=)/s.exec(last)?.[1] ?? 0),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
