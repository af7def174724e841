import { hostname } from 'node:os';
import type { Logger } from '@paperboy/logger';
import type { Redis } from 'ioredis';

const HEARTBEAT_EVERY_MS = 30_000;

/** Who a heartbeat belongs to: a container's healthcheck runs on the same host as its worker, in another process. */
export type TWorkerIdentity = { host: string; pid: number };

export function currentWorker(): TWorkerIdentity {
  return { host: hostname(), pid: process.pid };
}

export function workerIdOf({ host, pid }: TWorkerIdentity): string {
  return `${host}-${pid}`;
}

/** One key per worker process, so one worker's beat never vouches for another. */
export function heartbeatKey({ prefix, worker }: { prefix: string; worker: TWorkerIdentity }): string {
  return `${prefix}:worker-heartbeat:${worker.host}:${worker.pid}`;
}

/** The process ids of a host's workers, so its healthcheck reads a few keys instead of scanning Redis. */
function hostWorkersKey({ prefix, host }: { prefix: string; host: string }): string {
  return `${prefix}:worker-heartbeats:${host}`;
}

export async function recordHeartbeat({ redis, prefix, worker }: { redis: Redis; prefix: string; worker: TWorkerIdentity }) {
  const beat = JSON.stringify({ workerId: workerIdOf(worker), at: new Date().toISOString() });
  const ttlMs = HEARTBEAT_EVERY_MS * 3;
  const hostKey = hostWorkersKey({ prefix, host: worker.host });
  await redis.multi().set(heartbeatKey({ prefix, worker }), beat, 'PX', ttlMs).sadd(hostKey, String(worker.pid)).pexpire(hostKey, ttlMs).exec();
}

/**
 * Records this worker's heartbeat now and every HEARTBEAT_EVERY_MS while `isTakingJobs`; the
 * key expires when the process dies or stops beating, and is removed when it stops.
 */
export function startHeartbeat({
  redis,
  prefix,
  worker,
  isTakingJobs,
  logger,
}: {
  redis: Redis;
  prefix: string;
  worker: TWorkerIdentity;
  isTakingJobs: () => boolean;
  logger: Logger;
}): { stop: () => Promise<void> } {
  const beat = async () => {
    if (!isTakingJobs()) return;
    await recordHeartbeat({ redis, prefix, worker }).catch((error: Error) => logger.warn({ err: error }, 'heartbeat not recorded'));
  };
  let current = beat();
  const timer = setInterval(() => {
    current = beat();
  }, HEARTBEAT_EVERY_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      await current;
      await redis.del(heartbeatKey({ prefix, worker })).catch(() => undefined);
    },
  };
}

/**
 * Healthy when a worker on this host, in a process still alive, beat recently. A container's
 * healthcheck sees its own worker this way, never a worker of another container.
 */
export async function hasOwnHeartbeat({
  redis,
  prefix,
  host,
  isAlive,
}: {
  redis: Redis;
  prefix: string;
  host: string;
  isAlive: (pid: number) => boolean;
}): Promise<boolean> {
  const pids = (await redis.smembers(hostWorkersKey({ prefix, host }))).map(Number).filter((pid) => isAlive(pid));
  for (const pid of pids) {
    if (await redis.exists(heartbeatKey({ prefix, worker: { host, pid } }))) return true;
  }
  return false;
}

/** Whether a process of this machine (or container) with this id is running. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
