import { ZSubscriberStatus } from '@paperboy/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pager } from './admin.pager.ts';
import { seeOther, type TAdminRouteOptions } from './admin.view.ts';

const PAGE_SIZE = 25;
const ZSubscriberParams = z.object({ id: z.uuid() });
const ZSearch = z.object({
  q: z.string().trim().max(254).optional(),
  status: z.union([ZSubscriberStatus, z.literal('')]).optional(),
  topic: z.string().max(60).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

export const subscriberRoutes: FastifyPluginAsyncZod<TAdminRouteOptions> = async (app, { view, checkCsrf }) => {
  const subscribers = app.services.subscribers;

  app.get('/admin/subscribers', { schema: { hide: true, querystring: ZSearch } }, async (request, reply) => {
    const query = { q: request.query.q || undefined, status: request.query.status || undefined, topic: request.query.topic || undefined };
    const [{ items, total }, topics] = await Promise.all([
      subscribers.list({ ...query, page: request.query.page, pageSize: PAGE_SIZE }),
      app.services.topics.listForAdmin(),
    ]);
    return view(reply, 'subscribers', {
      ...query,
      subscribers: items,
      statuses: ZSubscriberStatus.options,
      topics: topics.map(({ slug, name }) => ({ slug, name })),
      pager: pager({ path: '/admin/subscribers', params: query, page: request.query.page, pageSize: PAGE_SIZE, total }),
    });
  });

  app.get('/admin/subscribers/:id', { schema: { hide: true, params: ZSubscriberParams } }, async (request, reply) => {
    const { subscriber, choices, events, deliveries } = await subscribers.detail(request.params.id);
    return view(reply, 'subscriber', {
      section: 'subscribers',
      subscriber,
      choices,
      deliveries,
      consent: events.map((event) => ({ ...event, details: Object.keys(event.details).length > 0 ? JSON.stringify(event.details) : '' })),
      isActive: subscriber.status === 'pending' || subscriber.status === 'confirmed',
      isErased: subscriber.status === 'erased',
    });
  });

  app.post('/admin/subscribers/:id/unsubscribe', { preValidation: checkCsrf, schema: { hide: true, params: ZSubscriberParams } }, async (request, reply) => {
    await subscribers.remove(request.params.id);
    request.log.info({ subscriberId: request.params.id }, 'subscriber removed from the console');
    return seeOther(reply, `/admin/subscribers/${request.params.id}`, 'unsubscribed');
  });

  app.post(
    '/admin/subscribers/:id/erase',
    {
      preValidation: checkCsrf,
      schema: { hide: true, params: ZSubscriberParams, body: z.object({ confirm: z.literal('yes', { error: 'Tick the box to confirm the erase.' }), _csrf: z.string().optional() }) },
    },
    async (request, reply) => {
      await subscribers.erase(request.params.id);
      request.log.info({ subscriberId: request.params.id }, 'subscriber erased from the console');
      return seeOther(reply, `/admin/subscribers/${request.params.id}`, 'erased');
    },
  );
};
