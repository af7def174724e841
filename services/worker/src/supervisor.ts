import { removeExpiredSignups, runRateLimits, superviseRuns } from '@paperboy/domain';
import { createEnqueueSends } from '@paperboy/queue';
import type { TWorkerDeps } from './deps.ts';
import { sweepUnsentConfirmations } from './jobs/email.jobs.ts';
import { requeueUnmatchedPapers } from './jobs/papers.jobs.ts';

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
  const requeueUnmatched = createUnmatchedPaperSweep(deps);
  const tick = () =>
    Promise.all([
      superviseRuns({ db: deps.db, enqueueSends, countQueuedSends, now: new Date(), idleMs: deps.config.digests.leaseMs, rateLimits: runRateLimits(deps.config) }),
      sweepUnsentConfirmations(deps),
      removeExpired(),
      requeueUnmatched(),
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

// A lost match job leaves its papers out of digests until this sweep: often enough that they
// make the next run, rarely enough that re-reading the papers table costs nothing. The first
// tick after start looks at once (the usual moment: Redis came back empty with the worker).
const UNMATCHED_PAPER_SWEEP_MS = 15 * 60_000;

/**
 * Queues match jobs for unmatched papers, at most every quarter hour, whether or not paper
 * sources are configured (without them no fetch job ever runs).
 */
function createUnmatchedPaperSweep(deps: Pick<TWorkerDeps, 'logger' | 'db' | 'queues'>) {
  let lastSweep = Number.NEGATIVE_INFINITY;
  return async () => {
    if (Date.now() - lastSweep < UNMATCHED_PAPER_SWEEP_MS) return;
    lastSweep = Date.now();
    const { requeued } = await requeueUnmatchedPapers(deps);
    if (requeued > 0) deps.logger.info({ requeued }, 'unmatched papers queued for matching');
  };
}
