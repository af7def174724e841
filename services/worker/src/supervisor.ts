import { removeExpiredSignups, runRateLimits, superviseRuns } from '@paperboy/domain';
import { createEnqueueSends } from '@paperboy/queue';
import type { TWorkerDeps } from './deps.ts';
import { sweepUnsentConfirmations } from './jobs/email.jobs.ts';

/**
 * Runs the supervisors on a timer, independent of Redis, so what a lost queue held is rebuilt
 * from Postgres. Each tick waits for the one before it: a slow tick (Redis or PostgreSQL
 * hanging) delays the next instead of piling more work on what is already stuck.
 */
export function startSupervisor(deps: Pick<TWorkerDeps, 'config' | 'logger' | 'db' | 'queues'>): { stop: () => Promise<void> } {
  const enqueueSends = createEnqueueSends(deps.queues, { batchSize: deps.config.digests.sendBatchSize });
  const countQueuedSends = async () => {
    const counts = await deps.queues.get('digest-sends').getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  };
  const removeExpired = createExpiredSignupSweep(deps);
  const tick = () =>
    Promise.all([
      superviseRuns({ db: deps.db, enqueueSends, countQueuedSends, now: new Date(), idleMs: deps.config.digests.leaseMs, rateLimits: runRateLimits(deps.config) }),
      sweepUnsentConfirmations(deps),
      removeExpired(),
    ]).catch((error: Error) => deps.logger.warn({ err: error }, 'supervision failed; will try again'));

  let isStopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  const schedule = () => {
    timer = setTimeout(() => {
      current = tick().finally(() => {
        if (!isStopped) schedule();
      });
    }, deps.config.digests.supervisorIntervalMs);
  };
  schedule();
  return {
    stop: async () => {
      isStopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}

// Links expire after days, so an hourly look is plenty; the first tick after start looks at once.
const EXPIRED_SIGNUP_SWEEP_MS = 60 * 60_000;

/** Removes signups whose confirmation link expired (with phrases nobody holds), at most hourly. */
function createExpiredSignupSweep(deps: Pick<TWorkerDeps, 'config' | 'logger' | 'db'>) {
  let lastSweep = Number.NEGATIVE_INFINITY;
  return async () => {
    if (Date.now() - lastSweep < EXPIRED_SIGNUP_SWEEP_MS) return;
    lastSweep = Date.now();
    const removed = await removeExpiredSignups({ db: deps.db, confirmTokenTtlDays: deps.config.subscriptions.tokenTtlDays.confirm });
    if (removed.removedSubscribers > 0) deps.logger.info(removed, 'expired signups removed');
  };
}
