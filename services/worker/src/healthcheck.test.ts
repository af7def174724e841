import { execFile, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { promisify } from 'node:util';
import { createRedis } from '@paperboy/queue';
import { repoPath } from '@paperboy/runtime';
import { useTestContext } from '@paperboy/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { heartbeatKey, recordHeartbeat } from './heartbeat.ts';

const run = promisify(execFile);

describe('the worker healthcheck', () => {
  const context = useTestContext();
  let redis: Redis;
  let prefix: string;
  let round = 0;

  beforeAll(async () => {
    redis = createRedis({ url: context.redisUrl, role: 'producer' });
    await redis.connect();
  });
  beforeEach(() => {
    round += 1;
    prefix = `${context.queuePrefix}-health${round}`;
  });
  afterAll(() => redis.disconnect());

  /** The healthcheck as the container runs it: its own process, on the worker's host. */
  async function healthcheckExitCode(): Promise<number> {
    const env = { PATH: process.env.PATH, NODE_ENV: 'test', REDIS_URL: context.redisUrl, QUEUE_PREFIX: prefix };
    try {
      await run(process.execPath, ['--import', 'tsx', 'services/worker/src/healthcheck.ts'], { cwd: repoPath(), env });
      return 0;
    } catch (error) {
      return (error as { code: number }).code;
    }
  }

  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.once('exit', resolve));
    return child.pid!;
  }

  it('is healthy while a live worker process of its own host beats', async () => {
    await recordHeartbeat({ redis, prefix, worker: { host: hostname(), pid: process.pid } });
    expect(await healthcheckExitCode()).toBe(0);
  });

  it("another host's worker beating does not make this host's dead worker look healthy", async () => {
    await recordHeartbeat({ redis, prefix, worker: { host: 'another-host', pid: process.pid } });
    await recordHeartbeat({ redis, prefix, worker: { host: hostname(), pid: await deadPid() } });
    expect(await redis.exists(heartbeatKey({ prefix, worker: { host: 'another-host', pid: process.pid } }))).toBe(1);
    expect(await healthcheckExitCode()).toBe(1);
  });

  it('a live worker process whose heartbeat expired (it stopped taking jobs) is unhealthy', async () => {
    const worker = { host: hostname(), pid: process.pid };
    await recordHeartbeat({ redis, prefix, worker });
    await redis.del(heartbeatKey({ prefix, worker }));
    expect(await healthcheckExitCode()).toBe(1);
  });

  it('with no heartbeat at all, is unhealthy', async () => {
    expect(await healthcheckExitCode()).toBe(1);
  });
});
