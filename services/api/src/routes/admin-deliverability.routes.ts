import { ZEmail } from '@paperboy/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZErrorBody } from '../plugins/error-handler.plugin.ts';

const security = [{ admin: [] }];

const ZSuppression = z.object({
  id: z.uuid(),
  address: z.string().describe('the address, or the start of its hash once the subscriber erased their data'),
  hasAddress: z.boolean().describe('false once the subscriber erased their data, or when no subscriber has this address'),
  reason: z.enum(['hard_bounce', 'soft_bounce_limit', 'complaint', 'manual']),
  classification: z.string().nullable(),
  source: z.string(),
  subscriberId: z.uuid().nullable(),
  createdAt: z.date(),
});

const ZRunBounceStats = z.object({
  runId: z.uuid(),
  attempted: z.number().int(),
  hardBounces: z.number().int(),
  softBounces: z.number().int(),
  policyRefusals: z.number().int(),
  complaints: z.number().int(),
  hardBounceRate: z.number(),
  complaintRate: z.number(),
});

const ZSuppressionQuery = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

/** The suppression list and per-run bounce figures for the JSON API; the console calls the same services. */
export const adminDeliverabilityRoutes: FastifyPluginAsyncZod = async (app) => {
  const suppressions = app.services.suppressions;
  app.addHook('onRequest', app.requireAdmin);

  app.get(
    '/api/admin/suppressions',
    {
      schema: {
        tags: ['admin'],
        summary: 'Addresses that are never mailed, and why',
        security,
        querystring: ZSuppressionQuery,
        response: { 200: z.object({ items: z.array(ZSuppression), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() }), 400: ZErrorBody, 401: ZErrorBody },
      },
    },
    async (request) => {
      const { page, pageSize } = request.query;
      const { suppressions: items, total } = await suppressions.list({ page, pageSize });
      return { items, page, pageSize, total };
    },
  );

  app.post(
    '/api/admin/suppressions',
    {
      schema: {
        tags: ['admin'],
        summary: 'Suppress an address by hand',
        description: 'Stores only the hash of the address; whoever has or later signs up with it is never mailed.',
        security,
        body: z.object({ email: ZEmail }).strict(),
        response: { 200: z.object({ isNew: z.boolean() }), 400: ZErrorBody, 401: ZErrorBody },
      },
    },
    async (request) => suppressions.add(request.body.email),
  );

  app.delete(
    '/api/admin/suppressions/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Lift a suppression',
        description: 'The address may be mailed again. A complaint also unsubscribed the reader: lifting does not subscribe them again.',
        security,
        params: z.object({ id: z.uuid() }),
        response: { 200: z.object({ lifted: z.literal(true), reason: ZSuppression.shape.reason }), 400: ZErrorBody, 401: ZErrorBody, 404: ZErrorBody },
      },
    },
    async (request) => ({ lifted: true as const, ...(await suppressions.lift(request.params.id)) }),
  );

  app.get(
    '/api/admin/digests/:id/bounces',
    {
      schema: {
        tags: ['digests'],
        summary: "A run's bounces and complaints, and their rates",
        description: 'Rates are over the deliveries that left; a run pauses itself past RUN_MAX_HARD_BOUNCE_RATE or RUN_MAX_COMPLAINT_RATE.',
        security,
        params: z.object({ id: z.uuid() }),
        response: { 200: ZRunBounceStats, 400: ZErrorBody, 401: ZErrorBody },
      },
    },
    async (request) => app.services.digests.bounces(request.params.id),
  );
};
