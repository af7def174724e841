import { runRateLimits, superviseRuns } from '@paperboy/domain';
import { createEnqueueSends } from '@paperboy/queue';
import type { TWorkerDeps } from './deps.ts';
import { sweepUnsentConfirmations } from './jobs/email.jobs.ts';

/** Runs the supervisors on a timer, independent of Redis, so what a lost queue held is rebuilt from Postgres. */
export function startSupervisor(deps: TWorkerDeps): { stop: () => Promise<void> } {
  const enqueueSends = createEnqueueSends(deps.queues, { batchSize: deps.config.digests.sendBatchSize });
  const countQueuedSends = async () => {
    const counts = await deps.queues.get('digest-sends').getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  };
  let current: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    current = Promise.all([
      superviseRuns({ db: deps.db, enqueueSends, countQueuedSends, now: new Date(), idleMs: deps.config.digests.leaseMs, rateLimits: runRateLimits(deps.config) }),
      sweepUnsentConfirmations(deps),
    ]).catch((error: Error) => deps.logger.warn({ err: error }, 'supervision failed; will try again'));
  }, deps.config.digests.supervisorIntervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await current;
    },
  };
}
