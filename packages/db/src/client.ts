import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema/index.ts';

export type TDatabase = NodePgDatabase<typeof schema>;
/** A database handle or an open transaction: repositories accept either. */
export type TDb = TDatabase | Parameters<Parameters<TDatabase['transaction']>[0]>[0];

export type TDatabaseHandle = {
  db: TDatabase;
  pool: pg.Pool;
  close: () => Promise<void>;
};

export function createDatabase({
  url,
  poolSize = 10,
  applicationName = 'paperboy',
  statementTimeoutMs,
}: {
  url: string;
  poolSize?: number;
  /** Aborts any statement that runs longer (a lock wait included), so no caller waits forever. */
  statementTimeoutMs?: number;
  /** Shown in pg_stat_activity, so an operator (or a test) can tell whose connections these are. */
  applicationName?: string;
}): TDatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    application_name: applicationName,
    ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs } : {}),
    // Fail fast when PostgreSQL is unreachable instead of hanging a request.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // A checked-out client whose backend is terminated between two statements (inside a
  // transaction, say) emits 'error' with no listener, and that crashed the worker (chaos
  // scenario 4). The statement in flight still rejects, and the pool drops the dead client on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzle(pool, { schema, casing: 'snake_case' });
  let isClosed = false;
  return {
    db,
    pool,
    close: async () => {
      if (isClosed) return;
      isClosed = true;
      await pool.end();
    },
  };
}
