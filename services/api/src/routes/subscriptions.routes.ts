import { SIGNUP_ACCEPTED, signup, ZSignupAccepted, ZSignupInput, type TEnqueueSubscriptionEmail, type TRequestOrigin } from '@paperboy/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZErrorBody } from '../plugins/error-handler.plugin.ts';

export function requestOrigin(request: FastifyRequest): TRequestOrigin {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
}

export function enqueueSubscriptionEmail(app: FastifyInstance, traceId?: string): TEnqueueSubscriptionEmail {
  return async ({ job, subscriberId, jobId }) => {
    // BullMQ waits for a connection that is down instead of failing; refuse at once so the API answers 503.
    if (app.redis.status !== 'ready') throw new Error(`Redis connection is ${app.redis.status}`);
    await app.queues.enqueue({ queue: 'email', job, payload: { subscriberId, traceId }, jobId });
  };
}

/**
 * Per-IP limit shared by the signup form and the JSON API: every limiter made here counts under
 * the same Redis key for one address, so switching endpoints does not reset the budget.
 */
export function signupRateLimit(app: FastifyInstance) {
  const { max, windowMs } = app.config.subscriptions.signupRateLimit;
  return app.rateLimit({ max, timeWindow: windowMs, keyGenerator: (request) => `signup-${request.ip}` });
}

export const subscriptionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/subscriptions',
    {
      onRequest: signupRateLimit(app),
      schema: {
        tags: ['subscriptions'],
        summary: 'Sign an address up (double opt-in)',
        description:
          'Answers 202 with the same body whether the address is new, pending, confirmed or unsubscribed. A new or pending ' +
          'address gets a confirmation email, a confirmed one a "manage your preferences" email; at most one such email per ' +
          'address per CONFIRMATION_RESEND_MINUTES. 429 past SIGNUP_RATE_LIMIT_MAX signups per IP and window; 503 when the ' +
          'mail queue is down (the signup is kept; sending it again is safe).',
        body: ZSignupInput,
        response: { 202: ZSignupAccepted, 400: ZErrorBody, 429: ZErrorBody, 503: ZErrorBody },
      },
    },
    async (request, reply) => {
      await signup({
        db: app.db,
        secretKey: app.config.security.secretKey,
        confirmationResendMs: app.config.subscriptions.confirmationResendMs,
        enqueueEmail: enqueueSubscriptionEmail(app, request.id),
        input: request.body,
        origin: requestOrigin(request),
      });
      return reply.code(202).send(SIGNUP_ACCEPTED);
    },
  );
};
