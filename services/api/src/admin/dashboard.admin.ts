import { countPapersIngestedSince, createDigestsRepository, getRunProgress, isoWeekStart, readGrowth, subscriberCounts } from '@paperboy/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { growthChart } from './admin.chart.ts';
import type { TAdminRouteOptions } from './admin.view.ts';

const GROWTH_WEEKS = 12;

export const dashboardRoutes: FastifyPluginAsyncZod<TAdminRouteOptions> = async (app, { view }) => {
  app.get('/admin', { schema: { hide: true } }, async (_request, reply) => {
    const now = new Date();
    const [counts, growth, papersThisWeek, { runs }] = await Promise.all([
      subscriberCounts({ db: app.db }),
      readGrowth({ db: app.db, weeks: GROWTH_WEEKS, now }),
      countPapersIngestedSince({ db: app.db, since: isoWeekStart(now) }),
      createDigestsRepository({ db: app.db }).listRuns({ limit: 5, offset: 0 }),
    ]);
    const latestRuns = await Promise.all(runs.map((run) => getRunProgress({ db: app.db, runId: run.id })));
    return view(reply, 'dashboard', {
      byStatus: Object.entries(counts.byStatus).map(([status, count]) => ({ status, count })),
      total: Object.values(counts.byStatus).reduce((sum, count) => sum + count, 0),
      chart: growthChart(growth),
      weeks: GROWTH_WEEKS,
      papersThisWeek,
      weekStart: isoWeekStart(now),
      runs: latestRuns,
    });
  });
};
