import {
  cancelRun,
  createDigestComposerFromConfig,
  createDigestsRepository,
  createRun,
  getRunProgress,
  pauseRun,
  previewDigest,
  resumeRun,
  retryFailed,
  runSettingsFromConfig,
  type TDigestComposer,
} from '@paperboy/domain';
import { compileDigestTemplate } from '@paperboy/email';
import { createEnqueueSends } from '@paperboy/queue';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZErrorBody } from '../plugins/error-handler.plugin.ts';

const ZRun = z.object({
  id: z.uuid(),
  frequency: z.enum(['daily', 'weekly']),
  trigger: z.enum(['schedule', 'admin']),
  isDryRun: z.boolean(),
  state: z.enum(['planned', 'sending', 'paused', 'done', 'cancelled', 'failed']),
  periodKey: z.string(),
  periodStart: z.date(),
  periodEnd: z.date(),
  plannedCount: z.number().int(),
  skippedCount: z.number().int(),
  alreadyMailedCount: z.number().int().describe('readers left out because they were already sent a digest this period'),
  isForced: z.boolean(),
  sentCount: z.number().int(),
  failedCount: z.number().int(),
  pauseReason: z.string().nullable(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
});

const ZProgress = z.object({
  run: ZRun,
  counts: z.object({ pending: z.number(), sending: z.number(), sent: z.number(), failed: z.number(), cancelled: z.number() }),
  progress: z.number().min(0).max(1).describe('share of planned deliveries that reached a final state'),
});

const ZRunParams = z.object({ id: z.uuid() });
const errors = { 400: ZErrorBody, 401: ZErrorBody, 404: ZErrorBody, 409: ZErrorBody, 503: ZErrorBody };

function toRun(run: z.input<typeof ZRun> & Record<string, unknown>) {
  return ZRun.parse(run);
}

export const adminDigestsRoutes: FastifyPluginAsyncZod = async (app) => {
  const enqueueSends = createEnqueueSends(app.queues, { batchSize: app.config.digests.sendBatchSize });
  const settings = runSettingsFromConfig(app.config);
  // Compiled on the first preview, once per app: MJML runs once, not per request.
  let composer: Promise<TDigestComposer> | undefined;
  const getComposer = () =>
    (composer ??= compileDigestTemplate().then((template) => createDigestComposerFromConfig({ db: app.db, config: app.config, template })));

  // onRequest, not preHandler: an anonymous caller learns nothing, not even which fields are invalid.
  app.addHook('onRequest', app.requireAdmin);

  app.post(
    '/api/admin/digests',
    {
      schema: {
        tags: ['digests'],
        summary: 'Create a digest run (and start it unless dry-run)',
        description:
          'Plans one delivery per eligible subscriber. A dry run reports the counts and records no deliveries. A real run is started by the worker.',
        security: [{ admin: [] }],
        body: z
          .object({
            frequency: z.enum(['daily', 'weekly']).default('weekly'),
            dryRun: z.boolean().default(false),
            force: z.boolean().default(false).describe('also mail readers already sent a digest this period'),
          })
          .strict()
          .nullish(),
        response: { 201: z.object({ run: ZRun }), ...errors },
      },
    },
    async (request, reply) => {
      const { frequency = 'weekly', dryRun = false, force = false } = request.body ?? {};
      const { run } = await createRun({ db: app.db, frequency, trigger: 'admin', isDryRun: dryRun, force, now: new Date(), settings });
      if (!dryRun) await app.queues.enqueue({ queue: 'digest-runs', job: 'start', payload: { runId: run.id, traceId: request.id }, jobId: `start-${run.id}` });
      return reply.code(201).send({ run: toRun(run) });
    },
  );

  app.get(
    '/api/admin/digests',
    {
      schema: {
        tags: ['digests'],
        summary: 'List digest runs, newest first',
        security: [{ admin: [] }],
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(100).default(20),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ runs: z.array(ZRun) }), ...errors },
      },
    },
    async (request) => {
      const { runs } = await createDigestsRepository({ db: app.db }).listRuns(request.query);
      return { runs: runs.map(toRun) };
    },
  );

  app.get(
    '/api/admin/digests/preview',
    {
      schema: {
        tags: ['digests'],
        summary: 'The HTML a subscriber would get if a run started now (nothing is sent or recorded)',
        security: [{ admin: [] }],
        querystring: z.object({ subscriber: z.uuid() }),
        response: { 200: z.string(), ...errors },
      },
    },
    async (request, reply) => {
      const email = await previewDigest({
        db: app.db,
        subscriberId: request.query.subscriber,
        composer: await getComposer(),
        now: new Date(),
        settings,
      });
      return reply.type('text/html; charset=utf-8').send(email.html);
    },
  );

  app.get(
    '/api/admin/digests/:id',
    {
      schema: {
        tags: ['digests'],
        summary: "A run's state, delivery counts and progress",
        security: [{ admin: [] }],
        params: ZRunParams,
        response: { 200: ZProgress, ...errors },
      },
    },
    async (request) => {
      const { run, counts, progress } = await getRunProgress({ db: app.db, runId: request.params.id });
      return { run: toRun(run), counts, progress };
    },
  );

  const action = (path: string, summary: string, act: (runId: string, body: { reason?: string }) => Promise<{ run: z.input<typeof ZRun> }>) =>
    app.post(
      `/api/admin/digests/:id/${path}`,
      {
        schema: {
          tags: ['digests'],
          summary,
          security: [{ admin: [] }],
          params: ZRunParams,
          // An action may be posted with no body at all.
          body: z.object({ reason: z.string().trim().min(1).max(500).optional() }).strict().nullish(),
          response: { 200: z.object({ run: ZRun }), ...errors },
        },
      },
      async (request) => {
        const { run } = await act(request.params.id, request.body ?? {});
        return { run: toRun(run) };
      },
    );

  action('pause', 'Pause a run; queued sends wait until it resumes', (runId, { reason }) =>
    pauseRun({ db: app.db, runId, reason: reason ?? 'Paused by an admin.' }),
  );
  action('resume', 'Resume a paused run; every pending delivery is enqueued again', (runId) =>
    resumeRun({ db: app.db, runId, enqueueSends, now: new Date() }),
  );
  action('cancel', 'Cancel a run; pending deliveries are never sent', (runId) => cancelRun({ db: app.db, runId, now: new Date() }));
  action('retry-failed', 'Send the failed deliveries of a run again', (runId) =>
    retryFailed({ db: app.db, runId, enqueueSends, now: new Date() }),
  );
};
