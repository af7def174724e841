import { createMetrics, isScrapeAllowed, METRICS_CHALLENGE, readQueueDepths, type TMetrics, type TSubscriptionTotals } from '@paperboy/metrics';
import type { TDb } from '@paperboy/db';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZErrorBody } from '../plugins/error-handler.plugin.ts';

declare module 'fastify' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface FastifyInstance {
    metrics: TMetrics;
  }
}

// consent_events is append-only (a trigger refuses UPDATE and DELETE), so its counts only grow:
// they are counters that survive restarts and agree across API processes. They count what
// really happened, where the signup endpoint's uniform 202 deliberately does not say.
async function readSubscriptionTotals(db: TDb): Promise<TSubscriptionTotals> {
  const [consent, statuses] = await Promise.all([
    db.execute<{ signups: string; confirmations: string }>(sql`
      select count(*) filter (where kind in ('signup', 'resubscribe')) as signups,
             count(*) filter (where kind = 'confirm') as confirmations
      from consent_events`),
    db.execute<{ status: string; count: string }>(sql`select status, count(*) as count from subscribers group by status`),
  ]);
  return {
    signups: Number(consent.rows[0]?.signups ?? 0),
    confirmations: Number(consent.rows[0]?.confirmations ?? 0),
    subscribersByStatus: Object.fromEntries(statuses.rows.map((row) => [row.status, Number(row.count)])),
  };
}

/** Prometheus metrics for this app: one registry per app, HTTP timings from one onResponse hook, and `GET /metrics`. */
export const metricsPlugin = fp(
  async (app: FastifyInstance, { token }: { token: string | undefined }) => {
    const metrics = createMetrics({
      queueDepths: () => readQueueDepths(app.queues.all()),
      subscriptionTotals: () => readSubscriptionTotals(app.db),
      onSourceError: (source, error) => app.log.warn({ err: error, source }, 'a metrics source failed; its samples are left out'),
    });
    app.decorate('metrics', metrics);

    app.addHook('onResponse', async (request, reply) => {
      // The route pattern, never the raw URL: tokens stay out of labels and the label set stays small.
      const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
      metrics.http.requests.inc(labels);
      metrics.http.duration.observe(labels, reply.elapsedTime / 1_000);
    });

    app.withTypeProvider<ZodTypeProvider>().get(
      '/metrics',
      {
        schema: {
          tags: ['observability'],
          summary: 'Prometheus metrics',
          description:
            'Text exposition format: HTTP requests and latency by route and status, signups and confirmations, subscribers by status, ' +
            'queue depths (read from Redis at scrape time) and process metrics. Expose it to your scraper only.',
          produces: ['text/plain'],
          security: [{ metrics: [] }],
          response: { 200: z.string(), 401: ZErrorBody },
        },
        onRequest: async (request, reply) => {
          if (isScrapeAllowed({ authorization: request.headers.authorization, token })) return;
          await reply
            .code(401)
            .header('www-authenticate', METRICS_CHALLENGE)
            .send({ error: { code: 'metrics.unauthorized', message: 'A valid metrics bearer token is required.' } });
        },
      },
      async (_request, reply) => reply.type(metrics.contentType).header('cache-control', 'no-store').send(await metrics.render()),
    );
  },
  { name: 'metrics', dependencies: ['database', 'queues'] },
);
