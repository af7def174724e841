import { findSubscriberIdByEmail, isAppError } from '@paperboy/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { seeOther, type TAdminRouteOptions, type TNotice } from './admin.view.ts';

const ZRunParams = z.object({ id: z.uuid() });
// `force` is the "send again to readers already mailed this period" checkbox: present only when ticked.
const ZFrequencyForm = z.object({ frequency: z.enum(['daily', 'weekly']), force: z.literal('on').optional(), _csrf: z.string().optional() });
const ACTIVE_STATES = new Set(['planned', 'sending']);
const REFRESH_SECONDS = 2;

export const digestRoutes: FastifyPluginAsyncZod<TAdminRouteOptions> = async (app, { view, checkCsrf }) => {
  const digests = app.services.digests;

  app.get('/admin/digests', { schema: { hide: true } }, async (_request, reply) => {
    const { runs } = await digests.list({ limit: 30, offset: 0 });
    const withProgress = await Promise.all(runs.map((run) => digests.progress(run.id)));
    return view(reply, 'digests', { runs: withProgress });
  });

  // Step one of a run: plan it inside a rolled-back transaction and show the counts.
  app.post('/admin/digests/dry-run', { preValidation: checkCsrf, schema: { hide: true, body: ZFrequencyForm } }, async (request, reply) => {
    const { run } = await digests.create({ frequency: request.body.frequency, isDryRun: true, force: request.body.force === 'on' });
    return view(reply, 'dry-run', { section: 'digests', run, eligible: run.plannedCount + run.skippedCount });
  });

  // Step two: the confirm button on the dry-run page.
  app.post('/admin/digests', { preValidation: checkCsrf, schema: { hide: true, body: ZFrequencyForm } }, async (request, reply) => {
    const { run } = await digests.create({ frequency: request.body.frequency, isDryRun: false, force: request.body.force === 'on', traceId: request.id });
    // The run id is what the worker's job lines carry (jobId start-<runId>): grep one to find the other.
    request.log.info({ runId: run.id, planned: run.plannedCount }, 'digest run started from the console');
    return seeOther(reply, `/admin/digests/runs/${run.id}`, 'started');
  });

  app.get('/admin/digests/runs/:id', { schema: { hide: true, params: ZRunParams } }, async (request, reply) => {
    const progress = await digests.progress(request.params.id);
    const feedback = await digests.feedback(request.params.id);
    const { state } = progress.run;
    return view(reply, 'run', {
      section: 'digests',
      ...progress,
      feedback,
      bounces: await digests.bounces(request.params.id),
      refreshSeconds: ACTIVE_STATES.has(state) ? REFRESH_SECONDS : undefined,
      canPause: state === 'planned' || state === 'sending',
      canResume: state === 'paused',
      canCancel: state === 'planned' || state === 'sending' || state === 'paused',
      canRetry: progress.counts.failed > 0 && ['done', 'paused', 'failed', 'sending'].includes(state),
    });
  });

  const actions: Record<string, { notice: TNotice; act: (runId: string) => Promise<unknown> }> = {
    pause: { notice: 'paused', act: (runId) => digests.pause(runId, 'Paused from the admin console.') },
    resume: { notice: 'resumed', act: (runId) => digests.resume(runId) },
    cancel: { notice: 'cancelled', act: (runId) => digests.cancel(runId) },
    'retry-failed': { notice: 'retried', act: (runId) => digests.retryFailed(runId) },
  };
  for (const [name, { notice, act }] of Object.entries(actions)) {
    app.post(`/admin/digests/runs/:id/${name}`, { preValidation: checkCsrf, schema: { hide: true, params: ZRunParams } }, async (request, reply) => {
      await act(request.params.id);
      request.log.info({ runId: request.params.id, action: name }, 'digest run changed from the console');
      return seeOther(reply, `/admin/digests/runs/${request.params.id}`, notice);
    });
  }

  app.get(
    '/admin/digests/preview',
    { schema: { hide: true, querystring: z.object({ subscriber: z.string().trim().max(254).optional() }) } },
    async (request, reply) => {
      const wanted = request.query.subscriber;
      if (!wanted) return view(reply, 'preview', { section: 'digests' });
      const subscriberId = z.uuid().safeParse(wanted).success ? wanted : await findSubscriberIdByEmail({ db: app.db, email: wanted });
      if (!subscriberId) return view(reply, 'preview', { section: 'digests', subscriber: wanted, problem: 'No subscriber with that id or address.' }, 404);
      try {
        const email = await digests.preview(subscriberId);
        return view(reply, 'preview', { section: 'digests', subscriber: wanted, subscriberId, email });
      } catch (error) {
        if (isAppError(error) && error.status === 404) {
          return view(reply, 'preview', { section: 'digests', subscriber: wanted, subscriberId, problem: error.message }, 404);
        }
        throw error;
      }
    },
  );
};
