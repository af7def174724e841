import { existsSync } from 'node:fs';

// Where the test suite finds PostgreSQL and Redis, in this order:
// 1. TEST_DATABASE_URL / TEST_REDIS_URL (what CI passes in);
// 2. containers started by testcontainers, when no URL is given and a Docker engine answers;
// 3. the services on localhost that this machine runs.
export type TTestServices = {
  /** A database URL whose user may CREATE DATABASE; test databases are created beside it. */
  databaseUrl: string;
  redisUrl: string;
  source: 'environment' | 'testcontainers' | 'localhost';
  stop: () => Promise<void>;
};

const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

function hasDockerEngine(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

export async function resolveTestServices(): Promise<TTestServices> {
  const databaseUrl = process.env.TEST_DATABASE_URL;
  const redisUrl = process.env.TEST_REDIS_URL;
  if (databaseUrl && redisUrl) {
    return { databaseUrl, redisUrl, source: 'environment', stop: async () => {} };
  }
  if (!databaseUrl && !redisUrl && hasDockerEngine()) {
    const started = await startContainers();
    if (started) return started;
  }
  return {
    databaseUrl: databaseUrl ?? LOCAL_DATABASE_URL,
    redisUrl: redisUrl ?? LOCAL_REDIS_URL,
    source: 'localhost',
    stop: async () => {},
  };
}

async function startContainers(): Promise<TTestServices | undefined> {
  // testcontainers 11.x: 12.x crashes at import on Node 20.
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { RedisContainer } = await import('@testcontainers/redis');
  try {
    const [postgres, redis] = await Promise.all([
      new PostgreSqlContainer('postgres:16-alpine').start(),
      new RedisContainer('redis:7-alpine').start(),
    ]);
    return {
      databaseUrl: postgres.getConnectionUri(),
      redisUrl: redis.getConnectionUrl(),
      source: 'testcontainers',
      stop: async () => {
        await Promise.all([postgres.stop(), redis.stop()]);
      },
    };
  } catch (error) {
    process.stderr.write(`testcontainers could not start services (${(error as Error).message}); using localhost.\n`);
    return undefined;
  }
}
