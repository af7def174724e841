import {
  AppError,
  eraseSubscriberData,
  exportSubscriberData,
  getFeedbackChoices,
  getPreferences,
  listTopicChoices,
  PAUSE_WEEKS,
  pauseSubscription,
  removeRatingWithPreferences,
  resubscribe,
  setLikedPapers,
  splitLikedPapers,
  unsubscribe,
  updatePreferences,
  ZLikedPapers,
  ZPauseWeeks,
  ZPreferencesInput,
} from '@paperboy/domain';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestOrigin } from '../http/subscriptions.http.ts';
import { appFieldErrors, errorList, fieldErrors, formToInput, formValues, topicOptions, ZFormBody, ZTokenParams, type TFormErrors, type TFormValues } from './pages.forms.ts';
import type { TPageOptions } from '../views/views.render.ts';

const html = 'text/html; charset=utf-8';
const ZRatedPaperId = z.coerce.number().int().positive();

/** The preference center. Every change is a POST carrying a CSRF token bound to the preferences token. */
export const preferencesPages: FastifyPluginAsyncZod<TPageOptions> = async (app, { render }) => {
  const { secretKey } = app.config.security;
  const db = app.db;
  const post = { hide: true, params: ZTokenParams, body: ZFormBody };
  const enqueueFetch = app.services.signups.enqueueLikedPaperFetch;
  // After body parsing: the CSRF token travels in the form body as `_csrf`.
  const checkCsrf = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => app.csrfProtection(request, reply, done);

  const showPreferences = async (
    reply: FastifyReply,
    {
      token,
      values,
      likedText,
      errors = {},
      notice,
      status = 200,
    }: { token: string; values?: TFormValues; likedText?: string; errors?: TFormErrors; notice?: string; status?: number },
  ) => {
    const [view, topics] = await Promise.all([getPreferences({ db, secretKey, token }), listTopicChoices({ db })]);
    const feedback = await getFeedbackChoices({ db, subscriberId: view.subscriberId });
    // Commas, not new lines: Handlebars indents every line of a partial's output, textarea text too.
    const likedPapers = likedText ?? feedback.likedPapers.map((paper) => paper.arxivId).join(', ');
    const shown = values ?? {
      email: view.email,
      topics: view.topics,
      keywords: view.keywords.join(', '),
      frequency: view.frequency,
      digestSize: String(view.digestSize),
      likedPapers,
    };
    return reply
      .code(status)
      .type(html)
      .send(
        render('preferences', {
          token,
          email: view.email,
          status: view.status,
          pausedUntil: view.pausedUntil,
          topics: topicOptions(topics, shown.topics),
          values: { ...shown, likedPapers },
          ratings: feedback.ratings,
          likedPapers: feedback.likedPapers,
          errors,
          errorList: errorList(errors),
          notice,
          pauseWeeks: PAUSE_WEEKS,
          csrfToken: reply.generateCsrf({ userInfo: token }),
        }),
      );
  };

  app.get('/preferences/:token', { schema: { hide: true, params: ZTokenParams } }, async (request, reply) =>
    showPreferences(reply, { token: request.params.token }),
  );

  app.post('/preferences/:token', { schema: post, preHandler: checkCsrf }, async (request, reply) => {
    const { token } = request.params;
    const values = formValues(request.body);
    const parsed = ZPreferencesInput.safeParse(formToInput(values));
    if (!parsed.success) return showPreferences(reply, { token, values, errors: fieldErrors(parsed.error, values), status: 400 });
    try {
      await updatePreferences({ db, secretKey, token, input: parsed.data, origin: requestOrigin(request) });
    } catch (error) {
      const errors = appFieldErrors(error);
      if (errors) return showPreferences(reply, { token, values, errors, status: 400 });
      throw error;
    }
    return showPreferences(reply, { token, notice: 'Your preferences were saved.' });
  });

  app.post('/preferences/:token/pause', { schema: post, preHandler: checkCsrf }, async (request, reply) => {
    const weeks = ZPauseWeeks.safeParse(request.body.weeks);
    if (!weeks.success) throw new AppError({ code: 'subscriptions.pause_invalid', status: 400, message: `Pause for ${PAUSE_WEEKS.join(', ')} weeks.` });
    await pauseSubscription({ db, secretKey, token: request.params.token, weeks: weeks.data, origin: requestOrigin(request) });
    return showPreferences(reply, { token: request.params.token, notice: `Paused for ${weeks.data} week${weeks.data === 1 ? '' : 's'}.` });
  });

  app.post('/preferences/:token/resume', { schema: post, preHandler: checkCsrf }, async (request, reply) => {
    await pauseSubscription({ db, secretKey, token: request.params.token, weeks: 0, origin: requestOrigin(request) });
    return showPreferences(reply, { token: request.params.token, notice: 'Your digest is back on.' });
  });

  app.post('/preferences/:token/resubscribe', { schema: post, preHandler: checkCsrf }, async (request, reply) => {
    await resubscribe({ db, secretKey, token: request.params.token, origin: requestOrigin(request) });
    return showPreferences(reply, { token: request.params.token, notice: 'Welcome back: you are subscribed again.' });
  });

  app.post('/preferences/:token/ratings/remove', { schema: post, preHandler: checkCsrf }, async (request, reply) => {
    const paperId = ZRatedPaperId.safeParse(request.body.paperId);
    if (!paperId.success) throw new AppError({ code: 'feedback.paper_invalid', status: 400, message: 'paperId: must be the id of a paper you rated.' });
    const { isRemoved } = await removeRatingWithPreferences({ db, secretKey, token: request.params.token, paperId: paperId.data, origin: requestOrigin(request) });
    return showPreferences(reply, { token: request.params.token, notice: isRemoved ? 'That rating was removed.' : 'That rating was already gone.' });
  });

  app.post('/preferences/:token/liked-papers', { schema: post, preHandler: checkCsrf }, async (request, reply) => {
    const { token } = request.params;
    const likedText = formValues(request.body).likedPapers;
    const parsed = ZLikedPapers.safeParse(splitLikedPapers(likedText));
    if (!parsed.success) return showPreferences(reply, { token, likedText, errors: { likedPapers: parsed.error.issues[0]!.message }, status: 400 });
    const { unresolved } = await setLikedPapers({
      db,
      secretKey,
      token,
      arxivIds: parsed.data,
      enqueueFetch,
      origin: requestOrigin(request),
    });
    const lookingUp = unresolved.length > 0 ? ` We are looking up ${unresolved.join(', ')} on arXiv.` : '';
    return showPreferences(reply, { token, notice: `Your liked papers were saved.${lookingUp}` });
  });

  app.post('/preferences/:token/unsubscribe', { schema: post, preHandler: checkCsrf }, async (request, reply) => {
    const { outcome } = await unsubscribe({
      db,
      secretKey,
      token: request.params.token,
      purpose: 'preferences',
      method: 'preferences',
      origin: requestOrigin(request),
    });
    return reply.type(html).send(render('unsubscribed', { isAlreadyUnsubscribed: outcome === 'already_unsubscribed' }));
  });

  app.post('/preferences/:token/erase', { schema: post, preHandler: checkCsrf }, async (request, reply) => {
    if (request.body.confirm !== 'yes') {
      throw new AppError({ code: 'subscriptions.erase_unconfirmed', status: 400, message: 'Tick the box to confirm that your data should be deleted.' });
    }
    await eraseSubscriberData({ db, secretKey, token: request.params.token });
    return reply.type(html).send(render('erased', {}));
  });

  // A read, so a GET; the token in the path is the only key and the answer is never cached.
  app.get('/preferences/:token/export', { schema: { hide: true, params: ZTokenParams } }, async (request, reply) => {
    const data = await exportSubscriberData({ db, secretKey, token: request.params.token });
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', 'attachment; filename="paperboy-my-data.json"')
      .send(JSON.stringify(data, null, 2));
  });
};
