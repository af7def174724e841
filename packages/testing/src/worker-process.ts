import { spawn } from 'node:child_process';
import { repoPath } from '@paperboy/runtime';

export type TWorkerProcess = {
  pid: number;
  /** Resolves once the worker logged that it started (its queues are listening). */
  ready: (timeoutMs?: number) => Promise<void>;
  /** SIGKILL: no shutdown hook runs, jobs in flight are abandoned mid-send. */
  kill: () => Promise<void>;
  /** SIGTERM: the graceful path. */
  stop: () => Promise<number | null>;
  output: () => string;
};

/**
 * The real worker (`services/worker/src/main.ts`) as a child process, configured only through
 * its environment, as in production. Short leases and a fast supervisor make a crash visible
 * within seconds instead of minutes.
 */
export function spawnWorker(env: Record<string, string>): TWorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/worker/src/main.ts'], {
    cwd: repoPath(),
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      // info: the one "worker started" line is how `ready` knows; jobs log only when they fail.
      LOG_LEVEL: 'info',
      DIGEST_SCHEDULES_ENABLED: 'false',
      DIGEST_SEND_LEASE_MS: '3000',
      DIGEST_SUPERVISOR_INTERVAL_MS: '500',
      DIGEST_MAX_FAILURE_RATIO: '0.2',
      PUBLIC_URL: 'https://paperboy.test',
      SHUTDOWN_TIMEOUT_MS: '5000',
      SMTP_MAX_CONNECTIONS: '10',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Keeps what explains a failure; a line per finished job would only bury it.
  const keep = (chunk: Buffer) => {
    output += chunk
      .toString()
      .split('\n')
      .filter((line) => !line.includes('"job done"'))
      .join('\n');
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    pid: child.pid!,
    ready: async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes('"worker started"')) {
        if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}: ${output.slice(-2000)}`);
        if (Date.now() > deadline) throw new Error(`worker did not start within ${timeoutMs} ms: ${output.slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    output: () => output,
  };
}
