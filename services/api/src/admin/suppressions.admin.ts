import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pager } from './admin.pager.ts';
import { seeOther, type TAdminRouteOptions } from './admin.view.ts';

const PAGE_SIZE = 50;
const REASONS = {
  hard_bounce: 'Hard bounce',
  soft_bounce_limit: 'Soft bounces in a row',
  complaint: 'Spam complaint',
  manual: 'Added by hand',
} as const;

/** The suppression list: who is never mailed and why, and a button to lift each entry. */
export const suppressionRoutes: FastifyPluginAsyncZod<TAdminRouteOptions> = async (app, { view, checkCsrf }) => {
  const service = app.services.suppressions;
  // A loose query: `done`, the notice after a lift, is read by the view.
  app.get(
    '/admin/suppressions',
    { schema: { hide: true, querystring: z.looseObject({ page: z.coerce.number().int().min(1).max(10_000).default(1) }) } },
    async (request, reply) => {
      const { page } = request.query;
      const { suppressions, total } = await service.list({ page, pageSize: PAGE_SIZE });
      return view(reply, 'suppressions', {
        suppressions: suppressions.map((item) => ({ ...item, why: REASONS[item.reason] })),
        pager: pager({ path: '/admin/suppressions', params: {}, page, pageSize: PAGE_SIZE, total }),
      });
    },
  );

  app.post(
    '/admin/suppressions/:id/lift',
    { preValidation: checkCsrf, schema: { hide: true, params: z.object({ id: z.uuid() }), body: z.object({ _csrf: z.string().optional() }) } },
    async (request, reply) => {
      await service.lift(request.params.id);
      return seeOther(reply, '/admin/suppressions', 'suppression-lifted');
    },
  );
};
