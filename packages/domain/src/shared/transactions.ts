import type { TDatabase, TDb } from '@paperboy/db';

class RollbackSignal extends Error {}

/** Runs `work` in a transaction that is always rolled back: for dry runs and previews that must record nothing. */
export async function inRolledBackTransaction<T>(db: TDatabase, work: (tx: TDb) => Promise<T>): Promise<T> {
  let result: { value: T } | undefined;
  try {
    await db.transaction(async (tx) => {
      result = { value: await work(tx) };
      throw new RollbackSignal();
    });
  } catch (error) {
    if (!(error instanceof RollbackSignal)) throw error;
  }
  return result!.value;
}
