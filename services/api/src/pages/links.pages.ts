import { checkConfirmation, confirmSubscription, subscriberFromToken, subscriberLinks, unsubscribe } from '@paperboy/domain';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestOrigin } from '../http/subscriptions.http.ts';
import { ZTokenParams } from './pages.forms.ts';
import type { TPageOptions } from '../views/views.render.ts';

const ZHtml = z.string().describe('An HTML page');

/** The links in every email: confirm, and unsubscribe (the page and the RFC 8058 one-click POST). */
export const linkPages: FastifyPluginAsyncZod<TPageOptions> = async (app, { render }) => {
  const { secretKey } = app.config.security;

  const preferencesUrlFor = (subscriberId: string) =>
    subscriberLinks({ publicUrl: app.config.server.publicUrl, secretKey, subscriberId, tokenTtlDays: app.config.subscriptions.tokenTtlDays }).preferencesUrl;

  // Mail scanners follow every link in a message: a GET only shows the button, the POST confirms.
  app.get('/confirm/:token', { schema: { hide: true, params: ZTokenParams } }, async (request, reply) => {
    const { isAlreadyConfirmed, subscriberId } = await checkConfirmation({ db: app.db, secretKey, token: request.params.token });
    const page = isAlreadyConfirmed
      ? render('confirmed', { isAlreadyConfirmed, preferencesUrl: preferencesUrlFor(subscriberId) })
      : render('confirm', { token: request.params.token });
    return reply.type('text/html; charset=utf-8').send(page);
  });

  app.post('/confirm/:token', { schema: { hide: true, params: ZTokenParams } }, async (request, reply) => {
    const { outcome, subscriberId } = await confirmSubscription({
      db: app.db,
      secretKey,
      token: request.params.token,
      origin: requestOrigin(request),
    });
    return reply
      .type('text/html; charset=utf-8')
      .send(render('confirmed', { isAlreadyConfirmed: outcome === 'already_confirmed', preferencesUrl: preferencesUrlFor(subscriberId) }));
  });

  app.get('/unsubscribe/:token', { schema: { hide: true, params: ZTokenParams } }, async (request, reply) => {
    // Showing the button needs only a well-formed token; a GET never unsubscribes (link scanners follow GETs).
    await subscriberFromToken({ db: app.db, secretKey, token: request.params.token, purpose: 'unsubscribe' });
    return reply.type('text/html; charset=utf-8').send(render('unsubscribe', { token: request.params.token }));
  });

  await app.register(async (oneClick) => {
    // RFC 8058 senders use urlencoded or multipart bodies, and the token alone authorises the
    // unsubscribe, so this route reads any body as text instead of refusing unknown types with 415.
    oneClick.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => done(null, body));
    oneClick.withTypeProvider<ZodTypeProvider>().post(
      '/unsubscribe/:token',
      {
        schema: {
          tags: ['subscriptions'],
          summary: 'One-click unsubscribe (RFC 8058)',
          description:
            'The target of the List-Unsubscribe header. Send `List-Unsubscribe=One-Click`; answers 200 with an HTML page, ' +
            'never a redirect, and is idempotent. Unsubscribe tokens last UNSUBSCRIBE_TOKEN_TTL_DAYS (at least a year).',
          params: ZTokenParams,
          response: { 200: ZHtml, 404: ZHtml, 410: ZHtml },
        },
      },
      async (request, reply) => {
        const isFromPage = typeof request.body === 'object' && request.body !== null && (request.body as Record<string, unknown>).source === 'page';
        const { outcome } = await unsubscribe({
          db: app.db,
          secretKey,
          token: request.params.token,
          method: isFromPage ? 'page' : 'one-click',
          origin: requestOrigin(request),
        });
        return reply
          .code(200)
          .type('text/html; charset=utf-8')
          .send(render('unsubscribed', { isAlreadyUnsubscribed: outcome === 'already_unsubscribed' }));
      },
    );
  });
};
