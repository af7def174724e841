import type { TRequestOrigin } from '@paperboy/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Where a request came from, as the consent log records it (request.ip honours TRUST_PROXY). */
export function requestOrigin(request: FastifyRequest): TRequestOrigin {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
}

/**
 * Per-IP limit shared by the signup form and the JSON API: every limiter made here counts under
 * the same Redis key for one address, so switching endpoints does not reset the budget.
 */
export function signupRateLimit(app: FastifyInstance) {
  const { max, windowMs } = app.config.subscriptions.signupRateLimit;
  return app.rateLimit({ max, timeWindow: windowMs, keyGenerator: (request) => `signup-${request.ip}` });
}
