import { createRun } from '@paperboy/domain';
import { sql } from 'drizzle-orm';
import { freshDatabase } from './database.ts';
import { insertPapers, insertRatings, insertSubscribers, matchPapersRandomly, seedRandom, varyPaperText } from './fixtures.ts';

/**
 * Planning time (delivery rows created) as the number of subscribers grows; the papers stay the
 * same. With `ratedShare`, that share of subscribers has rated 10 to 50 earlier papers, and the
 * papers get varied text, so the personal ranking's vectors cost what real ones would.
 */
export async function benchPlanning({ adminUrl, sizes, papers, ratedShare = 0 }: { adminUrl: string; sizes: number[]; papers: number; ratedShare?: number }) {
  const database = await freshDatabase({ adminUrl, name: ratedShare > 0 ? 'paperboy_bench_planning_rated' : 'paperboy_bench_planning' });
  const { db } = database;
  try {
    await seedRandom(db);
    const paperIds = await insertPapers({ db, count: papers, prefix: '2611' });
    await matchPapersRandomly({ db, paperIds });
    const earlierIds = ratedShare > 0 ? await insertPapers({ db, count: papers, prefix: '2610', ingestedDaysAgo: 30 }) : [];
    if (ratedShare > 0) await varyPaperText({ db, paperIds: [...paperIds, ...earlierIds] });
    const results: { subscribers: number; rated: number; planned: number; planningSeconds: number; plannerCpuSeconds: number }[] = [];
    let present = 0;
    let rated = 0;
    for (const size of [...sizes].sort((a, b) => a - b)) {
      const domain = `plan${size}.test`;
      await insertSubscribers({ db, count: size - present, domain });
      if (ratedShare > 0) rated += await insertRatings({ db, domain, share: ratedShare, paperIds: earlierIds });
      present = size;
      await db.execute(sql`analyze`);
      const started = performance.now();
      // The planner's own CPU time (this process; PostgreSQL's share is not in it): on a machine
      // shared with other work, wall time says more about the neighbours than about the planner.
      const cpuBefore = process.cpuUsage();
      const { run } = await createRun({
        db,
        frequency: 'weekly',
        trigger: 'admin',
        isDryRun: false,
        now: new Date(),
        settings: { lookbackDays: { weekly: 7, daily: 1 }, maxFailureRatio: 0.1 },
      });
      const cpu = process.cpuUsage(cpuBefore);
      results.push({
        subscribers: size,
        rated,
        planned: run.plannedCount,
        planningSeconds: (performance.now() - started) / 1000,
        plannerCpuSeconds: (cpu.user + cpu.system) / 1e6,
      });
    }
    return results;
  } finally {
    await database.close();
  }
}
