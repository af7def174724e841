import { spawn } from 'node:child_process';
import { createEmptyDatabase, createQueuePrefix, deleteKeysWithPrefix, getFreePort } from '@paperboy/testing';
import { describe, expect, inject, it } from 'vitest';

type TRun = { code: number | null; stdout: string; stderr: string; elapsedAfterSignalMs?: number };

/** Runs `npm start`'s script as a child process with the given environment. */
function startPaperboy(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let signalledAt: number | undefined;
  const exited = new Promise<TRun>((resolve) =>
    child.on('exit', (code) =>
      resolve({ code, stdout, stderr, elapsedAfterSignalMs: signalledAt ? Date.now() - signalledAt : undefined }),
    ),
  );
  return {
    exited,
    output: () => stdout,
    stop: () => {
      signalledAt = Date.now();
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function waitForReady(url: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return response.status;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} was not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('npm start', () => {
  it('migrates and seeds an empty database, serves /readyz, and exits 0 on SIGTERM', async () => {
    const database = await createEmptyDatabase({ adminUrl: inject('testDatabaseUrl') });
    const prefix = createQueuePrefix();
    const [port, smtpPort, webPort] = await Promise.all([getFreePort(), getFreePort(), getFreePort()]);
    const paperboy = startPaperboy({
      DATABASE_URL: database.url,
      REDIS_URL: inject('testRedisUrl'),
      QUEUE_PREFIX: prefix,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DEV_INBOX_SMTP_PORT: String(smtpPort),
      DEV_INBOX_WEB_PORT: String(webPort),
    });
    try {
      expect(await waitForReady(`http://127.0.0.1:${port}/readyz`, 30_000)).toBe(200);
      expect(paperboy.output()).toContain(`Signup page:  http://127.0.0.1:${port}/`);
      expect(paperboy.output()).toContain(`Inbox:        http://127.0.0.1:${webPort}`);
      const inbox = await fetch(`http://127.0.0.1:${webPort}/`, { headers: { accept: 'text/html' } });
      expect(inbox.status).toBe(200);
    } finally {
      const run = await paperboy.stop();
      expect(run.code).toBe(0);
      expect(run.elapsedAfterSignalMs).toBeLessThan(10_000);
      await database.drop();
      await deleteKeysWithPrefix({ redisUrl: inject('testRedisUrl'), prefix });
    }
  });

  it('when PostgreSQL cannot be reached, says so in one line and exits 1', async () => {
    const run = await startPaperboy({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/paperboy' }).exited;
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^PostgreSQL is not reachable \(ECONNREFUSED\); start it with/)]);
  });

  it('when Redis cannot be reached, says so in one line and exits 1', async () => {
    const url = new URL(inject('testDatabaseUrl'));
    const run = await startPaperboy({ DATABASE_URL: url.toString(), REDIS_URL: 'redis://127.0.0.1:1' }).exited;
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Redis is not reachable .*; start it with/)]);
  });

  it('when a variable is invalid, names it in one line and exits 1', async () => {
    const run = await startPaperboy({ PORT: 'eighty' }).exited;
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Invalid configuration: PORT: /)]);
  });
});
