import type { TConfig } from '@paperboy/config';
import type { TDb } from '@paperboy/db';
import {
  cancelRun,
  createDigestComposerFromConfig,
  createDigestsRepository,
  createRun,
  getRunFeedback,
  getRunProgress,
  pauseRun,
  previewDigest,
  resumeRun,
  retryFailed,
  runBounceStats,
  runSettingsFromConfig,
  type TDigestComposer,
} from '@paperboy/domain';
import { compileDigestTemplate } from '@paperboy/email';
import { createEnqueueSends, type TQueues } from '@paperboy/queue';

export type TDigestService = ReturnType<typeof createDigestService>;

/** Digest runs as the JSON API and the console both drive them: one wiring of the use cases. */
export function createDigestService({ db, queues, config }: { db: TDb; queues: TQueues; config: TConfig }) {
  const settings = runSettingsFromConfig(config);
  const enqueueSends = createEnqueueSends(queues, { batchSize: config.digests.sendBatchSize });
  // MJML compiles once per app, on the first preview, not per request.
  let composer: Promise<TDigestComposer> | undefined;
  const getComposer = () => (composer ??= compileDigestTemplate().then((template) => createDigestComposerFromConfig({ db, config, template })));

  return {
    /**
     * Plans a run; a real one is handed to the worker at once (jobId start-<runId>), a dry run only
     * counts. `force` also mails readers already sent a digest this period.
     */
    create: async ({ frequency, isDryRun, force = false, traceId }: { frequency: 'daily' | 'weekly'; isDryRun: boolean; force?: boolean; traceId?: string }) => {
      const { run } = await createRun({ db, frequency, trigger: 'admin', isDryRun, force, now: new Date(), settings });
      if (!isDryRun) await queues.enqueue({ queue: 'digest-runs', job: 'start', payload: { runId: run.id, traceId }, jobId: `start-${run.id}` });
      return { run };
    },
    list: (page: { limit: number; offset: number }) => createDigestsRepository({ db }).listRuns(page),
    progress: (runId: string) => getRunProgress({ db, runId }),
    /** Papers rated up and down from this run's digests, overall and per topic. */
    feedback: (runId: string) => getRunFeedback({ db, runId }),
    /** Bounces, refusals and complaints of this run's deliveries, with the two rates. */
    bounces: (runId: string) => runBounceStats({ db, runId }),
    preview: async (subscriberId: string) => previewDigest({ db, subscriberId, composer: await getComposer(), now: new Date(), settings }),
    pause: (runId: string, reason: string) => pauseRun({ db, runId, reason }),
    resume: (runId: string) => resumeRun({ db, runId, enqueueSends, now: new Date() }),
    cancel: (runId: string) => cancelRun({ db, runId, now: new Date() }),
    retryFailed: (runId: string) => retryFailed({ db, runId, enqueueSends, now: new Date() }),
  };
}
