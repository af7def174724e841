import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isAdminToken } from '../plugins/admin-auth.plugin.ts';
import { ADMIN_SESSION_COOKIE, ADMIN_SESSION_TTL_MS, type TAdminSessions } from './admin.session.ts';
import { safeNext, type TAdminRouteOptions } from './admin.view.ts';

export type TAuthRouteOptions = TAdminRouteOptions & { sessions: TAdminSessions; isSecure: boolean };

/** Sign-in with ADMIN_TOKEN, and sign-out. */
export const authRoutes: FastifyPluginAsyncZod<TAuthRouteOptions> = async (app, { view, checkCsrf, sessions, isSecure }) => {
  const cookieOptions = { path: '/admin', httpOnly: true, sameSite: 'strict', secure: isSecure } as const;

  app.get('/admin/login', { schema: { hide: true, querystring: z.object({ next: z.string().max(500).optional() }) } }, async (request, reply) => {
    if (request.adminSession) return reply.redirect(safeNext(request.query.next), 303);
    return view(reply, 'login', { next: safeNext(request.query.next) });
  });

  app.post(
    '/admin/login',
    {
      // Each guess costs a request; ten a minute per IP makes guessing a 16+ character token hopeless.
      config: { rateLimit: { max: 10, timeWindow: 60_000 } },
      preValidation: checkCsrf,
      schema: { hide: true, body: z.object({ token: z.string().max(1_000).default(''), next: z.string().max(500).optional(), _csrf: z.string().optional() }) },
    },
    async (request, reply) => {
      const next = safeNext(request.body.next);
      if (!isAdminToken(request.body.token, app.config.security.adminToken)) {
        request.log.info('admin sign-in refused');
        return view(reply, 'login', { next, error: 'That is not the admin token.' }, 401);
      }
      const { value } = sessions.issue();
      request.log.info('admin signed in');
      return reply.setCookie(ADMIN_SESSION_COOKIE, value, { ...cookieOptions, maxAge: ADMIN_SESSION_TTL_MS / 1_000 }).redirect(next, 303);
    },
  );

  app.post('/admin/logout', { preValidation: checkCsrf, schema: { hide: true } }, async (_request, reply) =>
    reply.clearCookie(ADMIN_SESSION_COOKIE, cookieOptions).redirect('/admin/login', 303),
  );
};
