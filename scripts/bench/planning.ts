import { createRun } from '@paperboy/domain';
import { sql } from 'drizzle-orm';
import { freshDatabase } from './database.ts';
import { insertPapers, insertSubscribers, matchPapersRandomly, seedRandom } from './fixtures.ts';

/** Planning time (delivery rows created) as the number of subscribers grows; the papers stay the same. */
export async function benchPlanning({ adminUrl, sizes, papers }: { adminUrl: string; sizes: number[]; papers: number }) {
  const database = await freshDatabase({ adminUrl, name: 'paperboy_bench_planning' });
  const { db } = database;
  try {
    await seedRandom(db);
    await matchPapersRandomly({ db, paperIds: await insertPapers({ db, count: papers, prefix: '2611' }) });
    const results: { subscribers: number; planned: number; planningSeconds: number }[] = [];
    let present = 0;
    for (const size of [...sizes].sort((a, b) => a - b)) {
      await insertSubscribers({ db, count: size - present, domain: `plan${size}.test` });
      present = size;
      await db.execute(sql`analyze`);
      const started = performance.now();
      const { run } = await createRun({
        db,
        frequency: 'weekly',
        trigger: 'admin',
        isDryRun: false,
        now: new Date(),
        settings: { lookbackDays: { weekly: 7, daily: 1 }, maxFailureRatio: 0.1 },
      });
      results.push({ subscribers: size, planned: run.plannedCount, planningSeconds: (performance.now() - started) / 1000 });
    }
    return results;
  } finally {
    await database.close();
  }
}
