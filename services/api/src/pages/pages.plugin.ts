import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import csrfProtection from '@fastify/csrf-protection';
import { repoPath } from '@paperboy/runtime';
import { isAppError, type TErrorCode } from '@paperboy/domain';
import type { FastifyError } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { classifyError, logIfInternal } from '../plugins/errors.classify.ts';
import { feedbackPages } from './feedback.pages.ts';
import { linkPages } from './links.pages.ts';
import { preferencesPages } from './preferences.pages.ts';
import { compileTemplates, type TPageName } from '../views/views.render.ts';
import { signupPages } from './signup.pages.ts';

type TErrorPage = { status: number; heading: string; message: string; hint?: string };

// Friendly words for every way a page request can fail; never a stack trace.
const PAGES_BY_CODE: Partial<Record<TErrorCode, Omit<TErrorPage, 'status'>>> = {
  'subscriptions.token_invalid': {
    heading: 'This link does not work',
    message: 'We could not recognise this link. It may have been cut short when it was copied.',
    hint: 'Open the link straight from the email, or sign up again to get a fresh one.',
  },
  'subscriptions.token_expired': {
    heading: 'This link has expired',
    message: 'Links in our emails only work for a while, to keep your subscription safe.',
    hint: 'Sign up again with the same address and we will email you a fresh link.',
  },
  'subscriptions.token_used': {
    heading: 'This link was already used',
    message: 'This address unsubscribed after the link was sent, so the link no longer confirms anything.',
    hint: 'To get digests again, sign up once more.',
  },
  'subscriptions.subscriber_gone': {
    heading: 'There is nothing here any more',
    message: 'The data behind this link was deleted at its owner\'s request.',
  },
  'subscriptions.rate_limited': {
    heading: 'Too many signups',
    message: 'We received a lot of signups from your network in a short time.',
    hint: 'Please wait a few minutes and try again.',
  },
  'queue.unavailable': {
    heading: 'We could not send your email just now',
    message: 'Your request was saved, but our mail system is not answering.',
    hint: 'Please try again in a few minutes.',
  },
};

function errorPage(error: FastifyError): TErrorPage {
  const { status, code, isBadPathParam, isCsrf } = classifyError(error);
  // A path parameter here is the token in an emailed link: a malformed one is a link that does
  // not work (404), not a form to correct, which is what the JSON API's 400 would suggest.
  if (isBadPathParam) return { status: 404, ...PAGES_BY_CODE['subscriptions.token_invalid']! };
  if (code === 'request.invalid') return { status, heading: 'That did not look right', message: 'The form sent something we could not read.', hint: 'Go back and try again.' };
  const known = Object.hasOwn(PAGES_BY_CODE, code) ? PAGES_BY_CODE[code as TErrorCode] : undefined;
  if (known) return { status, ...known };
  if (isCsrf) {
    return {
      status,
      heading: 'This form has expired',
      message: 'For your safety, forms only work from the page that showed them.',
      hint: 'Open the preferences link from your email again and resubmit.',
    };
  }
  if (status >= 500) return { status, heading: 'Something went wrong on our side', message: 'Please try again in a little while.' };
  // Domain errors speak to people; framework errors (a body too large, say) get a plain line.
  return { status, heading: 'That did not work', message: isAppError(error) ? error.message : 'The request could not be handled.' };
}

/** Pages for people: server-rendered HTML that works without JavaScript and satisfies the CSP (no inline script). */
export const pageRoutes: FastifyPluginAsyncZod = async (app) => {
  const render = await compileTemplates<TPageName>('services', 'api', 'src', 'pages', 'templates');
  const css = await readFile(repoPath('services', 'api', 'src', 'pages', 'assets', 'paperboy.css'), 'utf8');
  const { secretKey } = app.config.security;

  // Double-submit CSRF: a secret in a cookie scoped to /preferences, and form tokens bound by
  // HMAC to the preferences token in the URL, so a token for one subscriber is useless for another.
  await app.register(csrfProtection, {
    cookieKey: 'paperboy_csrf',
    cookieOpts: { path: '/preferences', sameSite: 'strict', httpOnly: true, secure: app.config.server.publicUrl.startsWith('https:') },
    getUserInfo: (request) => (request.params as { token?: string }).token ?? '',
    csrfOpts: { hmacKey: createHmac('sha256', secretKey).update('paperboy/csrf/v1').digest('hex') },
    logLevel: 'info',
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const page = errorPage(error);
    logIfInternal(request, error, classifyError(error));
    return reply.code(page.status).type('text/html; charset=utf-8').send(render('message', page));
  });

  // Pages carry tokens in their URLs and personal data in their bodies: keep them out of caches.
  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.url.startsWith('/assets/')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.get('/assets/paperboy.css', { schema: { hide: true } }, (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  );

  await app.register(signupPages, { render });
  await app.register(linkPages, { render });
  await app.register(preferencesPages, { render });
  await app.register(feedbackPages, { render });
};
