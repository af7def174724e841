import pg from 'pg';

const HOW_TO_START_POSTGRES =
  'start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` or `docker compose up -d postgres`';

/** drizzle wraps driver errors; the driver's error (with its SQLSTATE code) is the innermost cause. */
export function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && current.cause) current = current.cause;
  return current;
}

/** A one-line explanation for errors that mean "PostgreSQL is not there", else undefined. */
export function describeConnectionError(error: unknown): string | undefined {
  error = rootCause(error);
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT') {
    return `PostgreSQL is not reachable (${code}); ${HOW_TO_START_POSTGRES}.`;
  }
  if (code === '3D000') return `${(error as Error).message}; create it with \`createdb\` or point DATABASE_URL elsewhere.`;
  if (error instanceof Error && /timeout/i.test(error.message)) {
    return `PostgreSQL did not answer in time; ${HOW_TO_START_POSTGRES}.`;
  }
  return undefined;
}

/** Connects once and runs `select 1`; throws the driver's error when PostgreSQL does not answer. */
export async function pingDatabase({ url, timeoutMs = 3_000 }: { url: string; timeoutMs?: number }): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // A client that never connected has nothing to end, so connect outside the try.
  await client.connect();
  try {
    await client.query('select 1');
  } finally {
    await client.end();
  }
}

/** Creates the database named in `url` when the server is up but the database is not there yet. */
export async function ensureDatabaseExists({ url }: { url: string }): Promise<'existed' | 'created'> {
  try {
    await pingDatabase({ url });
    return 'existed';
  } catch (error) {
    if ((rootCause(error) as { code?: string }).code !== '3D000') throw error;
  }
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    await client.query(`create database "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
  return 'created';
}
