import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { TAdminPage, TRenderAdmin } from '../views/views.render.ts';

declare module 'fastify' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface FastifyRequest {
    /** Set by the console's onRequest hook when the session cookie is valid. */
    adminSession: { sid: string; expiresAt: Date } | null;
  }
}

/** Renders a console page with the CSRF token its forms (sign-out included) need. */
export type TView = (reply: FastifyReply, name: TAdminPage, data?: Record<string, unknown>, status?: number) => FastifyReply;

export type TCheckCsrf = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

export type TAdminRouteOptions = { view: TView; checkCsrf: TCheckCsrf };

// What a redirect after a POST may announce. The URL carries only the key, so nobody can
// craft a link that shows an admin words of their choosing.
const NOTICES = {
  unsubscribed: 'The subscriber was unsubscribed.',
  erased: "The subscriber's personal data was erased.",
  paused: 'The run was paused.',
  resumed: 'The run was resumed; pending deliveries are queued again.',
  cancelled: 'The run was cancelled; pending deliveries will not be sent.',
  retried: 'Failed deliveries are queued again.',
  started: 'The run was planned and handed to the worker.',
  'topic-created': 'The topic was added and recent papers were matched against it.',
  'topic-saved': 'The topic was saved and recent papers were scored again.',
  'suppression-lifted': 'The suppression was lifted; the address may be mailed again.',
} as const;
export type TNotice = keyof typeof NOTICES;

/** Form tokens are bound to the session; the sign-in form, shown before there is one, to a fixed label. */
export const csrfUserInfo = (request: FastifyRequest) => request.adminSession?.sid ?? 'signed-out';

export function createView(render: TRenderAdmin): TView {
  return (reply, name, data = {}, status = 200) => {
    const { request } = reply;
    const csrfToken = reply.generateCsrf({ userInfo: csrfUserInfo(request) });
    const done = (request.query as { done?: unknown } | undefined)?.done;
    const notice = typeof done === 'string' && Object.hasOwn(NOTICES, done) ? NOTICES[done as TNotice] : undefined;
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(render(name, { notice, ...data, csrfToken, isSignedIn: request.adminSession !== null, section: data.section ?? name }));
  };
}

/** Back to a console page after a POST (303: the browser follows with a GET). */
export function seeOther(reply: FastifyReply, path: string, notice?: TNotice) {
  return reply.redirect(notice ? `${path}${path.includes('?') ? '&' : '?'}done=${notice}` : path, 303);
}

/** Only console paths may be the target of `next`: no open redirect through the sign-in page. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/admin(\/[^/\\]|$|\?)/.test(next) && !next.startsWith('/admin/login') ? next : '/admin';
}
