import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { getFreePort } from './ports.ts';

export type TPrivateRedis = {
  url: string;
  port: number;
  /** SIGKILL: the server is gone at once, and with it every key (it never saves). */
  kill: () => Promise<void>;
  /** A fresh, empty server on the same port. */
  start: () => Promise<void>;
  /** kill, then start: Redis restarted with its data lost. */
  restart: () => Promise<void>;
  /** SIGSTOP: the server keeps its connections and answers nothing, as a hung Redis does. */
  freeze: () => void;
  /** SIGCONT: a frozen server answers again, every command it was sent included. */
  thaw: () => void;
};

async function waitForPing(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    redis.on('error', () => {});
    try {
      await redis.connect();
      await redis.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`private redis-server did not answer within ${timeoutMs} ms: ${(error as Error).message}`);
    } finally {
      redis.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A redis-server child process of the calling test's own, on a free port, with no persistence.
 * Fault tests stop and restart it; the machine's shared Redis, which other test files use, is
 * never touched.
 */
export async function startPrivateRedis(): Promise<TPrivateRedis> {
  const port = await getFreePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], {
      stdio: 'ignore',
    });
    await waitForPing(url, 10_000);
  };
  const kill = async () => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url,
    port,
    kill,
    start,
    restart: async () => {
      await kill();
      await start();
    },
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
  };
}
