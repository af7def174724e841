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
  feedback: z
    .object({
      up: z.number().int(),
      down: z.number().int(),
      byTopic: z.array(z.object({ slug: z.string(), name: z.string(), up: z.number().int(), down: z.number().int() })),
    })
    .describe("readers' latest 'more/less like this' clicks from this run's digests, in total and per topic of the paper"),
});

const ZRunParams = z.object({ id: z.uuid() });
const errors = { 400: ZErrorBody, 401: ZErrorBody, 404: ZErrorBody, 409: ZErrorBody, 503: ZErrorBody };

function toRun(run: z.input<typeof ZRun> & Record<string, unknown>) {
  return ZRun.parse(run);
}

export const adminDigestsRoutes: FastifyPluginAsyncZod = async (app) => {
  const digests = app.services.digests;

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
      const { run } = await digests.create({ frequency, isDryRun: dryRun, force, traceId: request.id });
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
      const { runs } = await digests.list(request.query);
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
      const email = await digests.preview(request.query.subscriber);
      return reply.type('text/html; charset=utf-8').send(email.html);
    },
  );

  app.get(
    '/api/admin/digests/:id',
    {
      schema: {
        tags: ['digests'],
        summary: "A run's state, delivery counts, progress and reader feedback",
        security: [{ admin: [] }],
        params: ZRunParams,
        response: { 200: ZProgress, ...errors },
      },
    },
    async (request) => {
      const { run, counts, progress } = await digests.progress(request.params.id);
      return { run: toRun(run), counts, progress, feedback: await digests.feedback(request.params.id) };
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

  action('pause', 'Pause a run; queued sends wait until it resumes', (runId, { reason }) => digests.pause(runId, reason ?? 'Paused by an admin.'));
  action('resume', 'Resume a paused run; every pending delivery is enqueued again', (runId) => digests.resume(runId));
  action('cancel', 'Cancel a run; pending deliveries are never sent', (runId) => digests.cancel(runId));
  action('retry-failed', 'Send the failed deliveries of a run again', (runId) => digests.retryFailed(runId));
};
