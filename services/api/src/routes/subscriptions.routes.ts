import { SIGNUP_ACCEPTED, ZSignupAccepted, ZSignupInput } from '@paperboy/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requestOrigin, signupRateLimit } from '../http/subscriptions.http.ts';
import { ZErrorBody } from '../plugins/error-handler.plugin.ts';

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
      await app.services.signups.signup({ input: request.body, origin: requestOrigin(request), traceId: request.id });
      return reply.code(202).send(SIGNUP_ACCEPTED);
    },
  );
};
