import { listTopicChoices, ZSignupInput } from '@paperboy/domain';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requestOrigin, signupRateLimit } from '../http/subscriptions.http.ts';
import { appFieldErrors, errorList, fieldErrors, formToInput, formValues, topicOptions, ZFormBody, type TFormErrors, type TFormValues } from './pages.forms.ts';
import type { TPageOptions } from '../views/views.render.ts';

const HONEYPOT_FIELD = 'website';

export const signupPages: FastifyPluginAsyncZod<TPageOptions> = async (app, { render }) => {
  const { subscriptions } = app.config;

  const showForm = async (reply: FastifyReply, { values, errors = {}, status = 200 }: { values: TFormValues; errors?: TFormErrors; status?: number }) => {
    const topics = await listTopicChoices({ db: app.db });
    const html = render('signup', {
      topics: topicOptions(topics, values.topics),
      values,
      errors,
      errorList: errorList(errors),
      hasHoneypot: subscriptions.isHoneypotEnabled,
    });
    return reply.code(status).type('text/html; charset=utf-8').send(html);
  };
  const showCheckInbox = (reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').send(render('check-inbox', { confirmDays: subscriptions.tokenTtlDays.confirm }));

  app.get('/', { schema: { hide: true } }, async (_request, reply) => showForm(reply, { values: formValues({}) }));

  app.post(
    '/',
    { onRequest: signupRateLimit(app), schema: { hide: true, body: ZFormBody } },
    async (request, reply) => {
      // Bots fill every field; people never see this one. They get the same page and nothing is stored.
      if (subscriptions.isHoneypotEnabled && request.body[HONEYPOT_FIELD]) return showCheckInbox(reply);
      const values = formValues(request.body);
      const parsed = ZSignupInput.safeParse(formToInput(values));
      if (!parsed.success) return showForm(reply, { values, errors: fieldErrors(parsed.error, values), status: 400 });
      try {
        await app.services.signups.signup({ input: parsed.data, origin: requestOrigin(request), traceId: request.id });
      } catch (error) {
        const errors = appFieldErrors(error);
        if (errors) return showForm(reply, { values, errors, status: 400 });
        throw error;
      }
      return showCheckInbox(reply);
    },
  );
};
