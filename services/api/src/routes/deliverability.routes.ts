import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { adminDeliverabilityRoutes } from './admin-deliverability.routes.ts';
import { webhookRoutes } from './webhooks.routes.ts';

/** Bounces, complaints and the suppression list: provider webhooks and the admin JSON API. */
export const deliverabilityRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(webhookRoutes);
  await app.register(adminDeliverabilityRoutes);
};
