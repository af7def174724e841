import { recordFeedback, undoFeedback, viewFeedback, type TRating } from '@paperboy/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requestOrigin } from '../http/subscriptions.http.ts';
import { ZTokenParams } from './pages.forms.ts';
import type { TPageOptions } from '../views/views.render.ts';

const html = 'text/html; charset=utf-8';

const words = (rating: TRating) =>
  rating === 1 ? { isMore: true, button: 'More like this', heading: 'More papers like this?' } : { isMore: false, button: 'Less like this', heading: 'Fewer papers like this?' };

/**
 * "More like this" / "Less like this" under each paper of a digest. Mail scanners open every
 * link, so the GET only shows the paper and one button; the POST records. The page does not
 * press the button for the reader with a script either: scanners that run scripts would then
 * rate every paper in every digest.
 */
export const feedbackPages: FastifyPluginAsyncZod<TPageOptions> = async (app, { render }) => {
  const { secretKey } = app.config.security;
  const schema = { hide: true, params: ZTokenParams };

  app.get('/feedback/:token', { schema }, async (request, reply) => {
    const { token } = request.params;
    const { paper, rating, isAlreadyRated } = await viewFeedback({ db: app.db, secretKey, token });
    return reply.type(html).send(render('feedback', { token, paper, isAlreadyRated, ...words(rating) }));
  });

  app.post('/feedback/:token', { schema }, async (request, reply) => {
    const { token } = request.params;
    const { paper, rating } = await recordFeedback({ db: app.db, secretKey, token, origin: requestOrigin(request) });
    return reply.type(html).send(render('feedback-done', { token, paper, ...words(rating), heading: 'Thanks, noted' }));
  });

  app.post('/feedback/:token/undo', { schema }, async (request, reply) => {
    const { token } = request.params;
    const { paper, rating, isRemoved } = await undoFeedback({ db: app.db, secretKey, token, origin: requestOrigin(request) });
    return reply.type(html).send(render('feedback-done', { token, paper, isUndone: true, isRemoved, ...words(rating), heading: 'Rating removed' }));
  });
};
