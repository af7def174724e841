import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { repoPath } from '@paperboy/runtime';
import csrfProtection from '@fastify/csrf-protection';
import multipart from '@fastify/multipart';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { classifyError, logIfInternal } from '../plugins/errors.classify.ts';
import { authRoutes } from './auth.admin.ts';
import { mountQueueBoard } from './queues.admin.ts';
import { compileTemplates, type TAdminPage } from '../views/views.render.ts';
import { ADMIN_SESSION_COOKIE, createAdminSessions } from './admin.session.ts';
import { createView, csrfUserInfo, type TCheckCsrf } from './admin.view.ts';
import { dashboardRoutes } from './dashboard.admin.ts';
import { digestRoutes } from './digests.admin.ts';
import { INGEST_MAX_BYTES } from '../services/papers.service.ts';
import { paperRoutes } from './papers.admin.ts';
import { subscriberRoutes } from './subscribers.admin.ts';
import { suppressionRoutes } from './suppressions.admin.ts';
import { topicRoutes } from './topics.admin.ts';

const PUBLIC_PATHS = new Set(['/admin/login', '/admin/assets/admin.css']);

// Forms post a `_csrf` field; a multipart form's fields arrive as objects with a `value`.
function csrfTokenOf(request: FastifyRequest): string | undefined {
  const field = (request.body as Record<string, unknown> | undefined)?._csrf;
  if (typeof field === 'string') return field;
  if (field && typeof field === 'object' && 'value' in field && typeof field.value === 'string') return field.value;
  return undefined;
}

/**
 * The admin console under /admin: server-rendered pages that work without JavaScript. Every
 * route but sign-in and the stylesheet needs the signed session cookie (checked onRequest, so
 * an anonymous request learns nothing), and every form carries a CSRF token bound to the session.
 * Routes check that token in preValidation: after the body (multipart too) is parsed, before
 * the schema, so a forged post is refused with 403 whatever fields it sent.
 */
export const adminConsole: FastifyPluginAsyncZod = async (app) => {
  const { secretKey, adminToken } = app.config.security;
  const isSecure = app.config.server.publicUrl.startsWith('https:');
  const sessions = createAdminSessions({ secretKey, adminToken });
  const view = createView(await compileTemplates<TAdminPage>('services', 'api', 'src', 'admin', 'templates'));
  const css = await readFile(repoPath('services', 'api', 'src', 'admin', 'assets', 'admin.css'), 'utf8');

  await app.register(csrfProtection, {
    cookieKey: 'paperboy_admin_csrf',
    cookieOpts: { path: '/admin', sameSite: 'strict', httpOnly: true, secure: isSecure },
    getUserInfo: csrfUserInfo,
    getToken: csrfTokenOf,
    csrfOpts: { hmacKey: createHmac('sha256', secretKey).update('paperboy/admin-csrf/v1').digest('hex') },
    logLevel: 'info',
  });
  // Only the paper upload posts multipart; its fields are read before the CSRF check runs.
  await app.register(multipart, { attachFieldsToBody: true, limits: { fileSize: INGEST_MAX_BYTES, files: 1, fields: 5 } });

  app.decorateRequest('adminSession', null);
  app.addHook('onRequest', async (request, reply) => {
    request.adminSession = sessions.read(request.cookies[ADMIN_SESSION_COOKIE]) ?? null;
    const path = request.url.split('?')[0]!;
    if (request.adminSession || PUBLIC_PATHS.has(path)) return;
    if (request.method === 'GET' || request.method === 'HEAD') {
      return reply.redirect(`/admin/login?next=${encodeURIComponent(request.url)}`, 303);
    }
    return view(reply, 'message', { heading: 'Please sign in', message: 'Your session has ended or was never started.' }, 401);
  });

  app.setErrorHandler((error: FastifyError, request, reply: FastifyReply) => {
    const classified = classifyError(error);
    logIfInternal(request, error, classified);
    // A bad id in a console path is a page that does not exist (404), as on the public pages.
    const status = classified.isBadPathParam ? 404 : classified.status;
    const message = classified.isCsrf
      ? 'This form has expired. Go back, reload the page and try again.'
      : status >= 500 && classified.code === 'internal'
        ? 'Something went wrong on our side; the error is in the API log.'
        : classified.message;
    return view(reply, 'message', { heading: classified.isCsrf ? 'Form expired' : `That did not work (${status})`, message }, status);
  });

  // Console pages show personal data: never cached, never framed (helmet already says frame-ancestors 'none').
  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.url.startsWith('/admin/assets/')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.get('/admin/assets/admin.css', { schema: { hide: true } }, (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  );

  const checkCsrf: TCheckCsrf = (request, reply, done) => app.csrfProtection(request, reply, done);
  const options = { view, checkCsrf };
  await app.register(authRoutes, { ...options, sessions, isSecure });
  await app.register(dashboardRoutes, options);
  await app.register(paperRoutes, options);
  await app.register(subscriberRoutes, options);
  await app.register(digestRoutes, options);
  await app.register(topicRoutes, options);
  await app.register(suppressionRoutes, options);
  await mountQueueBoard(app);
};
