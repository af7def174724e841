import {
  ZAdminSubscriber,
  ZAdminSubscriberQuery,
  ZSignupInput,
  ZSubscriberStatus,
} from '@paperboy/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZErrorBody } from '../plugins/error-handler.plugin.ts';

const security = [{ admin: [] }];

export const adminSubscriberRoutes: FastifyPluginAsyncZod = async (app) => {
  const subscribers = app.services.subscribers;
  // onRequest, before validation: without the token, a caller learns nothing, not even which fields are wrong.
  app.addHook('onRequest', app.requireAdmin);

  app.get(
    '/api/admin/subscribers',
    {
      schema: {
        tags: ['admin'],
        summary: 'List and search subscribers',
        description: '`q` searches addresses (substring, case-insensitive), `status` and `topic` filter; newest first.',
        security,
        querystring: ZAdminSubscriberQuery,
        response: {
          200: z.object({ items: z.array(ZAdminSubscriber), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() }),
          400: ZErrorBody,
          401: ZErrorBody,
        },
      },
    },
    async (request) => subscribers.list(request.query),
  );

  app.get(
    '/api/admin/subscribers/counts',
    {
      schema: {
        tags: ['admin'],
        summary: 'Subscriber counts by status and by topic',
        security,
        response: {
          200: z.object({
            byStatus: z.record(ZSubscriberStatus, z.number().int()),
            byTopic: z.array(z.object({ slug: z.string(), name: z.string(), confirmed: z.number().int(), pending: z.number().int() })),
          }),
          401: ZErrorBody,
        },
      },
    },
    async () => subscribers.counts(),
  );

  app.post(
    '/api/admin/subscribers',
    {
      schema: {
        tags: ['admin'],
        summary: 'Add one subscriber by hand (confirmed at once, logged as admin_add)',
        description: 'For people who agreed elsewhere. A known address is refused with 409, and an erased one can never be added.',
        security,
        body: ZSignupInput,
        response: { 201: z.object({ id: z.uuid(), status: z.literal('confirmed') }), 400: ZErrorBody, 401: ZErrorBody, 409: ZErrorBody },
      },
    },
    async (request, reply) => {
      const { subscriberId } = await subscribers.add(request.body);
      return reply.code(201).send({ id: subscriberId, status: 'confirmed' as const });
    },
  );

  app.delete(
    '/api/admin/subscribers/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Remove one subscriber by hand (unsubscribed, logged as admin_remove)',
        security,
        params: z.object({ id: z.uuid() }),
        response: {
          200: z.object({ id: z.uuid(), status: z.enum(['unsubscribed', 'erased']) }),
          400: ZErrorBody,
          401: ZErrorBody,
          404: ZErrorBody,
        },
      },
    },
    async (request) => {
      const result = await subscribers.remove(request.params.id);
      return { id: result.subscriberId, status: result.status };
    },
  );
};
