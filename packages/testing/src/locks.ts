import type pg from 'pg';

/**
 * Which comes first: a session of this database waiting for a lock (a row, a transaction, an
 * advisory lock), or `work` settling. A test that holds a lock open can so tell, without a
 * timer, whether the work waits for it or goes ahead.
 */
export async function lockWaitOrSettled({ pool, work }: { pool: pg.Pool; work: Promise<unknown> }): Promise<'waiting' | 'settled'> {
  let isSettled = false;
  const settled = work.then(
    () => 'settled' as const,
    () => 'settled' as const,
  );
  void settled.then(() => (isSettled = true));
  const waiting = async () => {
    while (!isSettled) {
      const { rows } = await pool.query<{ waiting: number }>(
        `select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
      if (rows[0]!.waiting > 0) return 'waiting' as const;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return 'settled' as const;
  };
  return Promise.race([settled, waiting()]);
}
