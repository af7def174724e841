import { ZTopic } from '@paperboy/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { seeOther, type TAdminRouteOptions } from './admin.view.ts';

const ZTopicForm = z.object({
  slug: z.string().trim().max(60).default(''),
  name: z.string().trim().max(200).default(''),
  description: z.string().trim().max(400).default(''),
  terms: z.string().max(20_000).default(''),
  _csrf: z.string().optional(),
});
type TTopicForm = z.infer<typeof ZTopicForm>;

/** One term a line, `term: weight`; a line without a weight counts 1. */
function parseTermLines(text: string): { term: string; weight: number }[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const colon = line.lastIndexOf(':');
      const weight = colon === -1 ? Number.NaN : Number(line.slice(colon + 1).trim());
      return Number.isFinite(weight) ? { term: line.slice(0, colon).trim(), weight } : { term: line, weight: 1 };
    });
}

const formatTermLines = (terms: { term: string; weight: number }[]) => terms.map(({ term, weight }) => `${term}: ${weight}`).join('\n');

/** The form's fields checked with the domain's own schema; each problem is named by its field. */
function validateTopic(form: TTopicForm) {
  const result = ZTopic.safeParse({ slug: form.slug, name: form.name, description: form.description, terms: parseTermLines(form.terms) });
  if (result.success) return { topic: result.data, errors: [] };
  return { topic: undefined, errors: result.error.issues.map((issue) => `${issue.path.join(' ') || 'topic'}: ${issue.message}`) };
}

export const topicRoutes: FastifyPluginAsyncZod<TAdminRouteOptions> = async (app, { view, checkCsrf }) => {
  const topics = app.services.topics;
  const showTopic = async (slug: string, form?: Partial<TTopicForm>, errors: string[] = []) => {
    const detail = await topics.detail(slug);
    if (!detail) return undefined;
    const { topic } = detail;
    return {
      ...detail,
      section: 'topics',
      form: { name: topic.name, description: topic.description, terms: formatTermLines(topic.terms), ...form },
      errors,
    };
  };

  app.get('/admin/topics', { schema: { hide: true } }, async (_request, reply) =>
    view(reply, 'topics', { topics: await topics.listForAdmin(), form: { terms: 'example term: 1\nweaker hint: 0.4' } }),
  );

  app.post('/admin/topics', { preValidation: checkCsrf, schema: { hide: true, body: ZTopicForm } }, async (request, reply) => {
    const { topic, errors } = validateTopic(request.body);
    if (!topic) return view(reply, 'topics', { topics: await topics.listForAdmin(), form: request.body, errors }, 400);
    await topics.create(topic);
    return seeOther(reply, `/admin/topics/${topic.slug}`, 'topic-created');
  });

  app.get('/admin/topics/:slug', { schema: { hide: true, params: z.object({ slug: z.string().max(60) }) } }, async (request, reply) => {
    const data = await showTopic(request.params.slug);
    if (!data) return view(reply, 'message', { heading: 'No such topic', message: `No topic with the slug "${request.params.slug}".` }, 404);
    return view(reply, 'topic', data);
  });

  app.post(
    '/admin/topics/:slug',
    { preValidation: checkCsrf, schema: { hide: true, params: z.object({ slug: z.string().max(60) }), body: ZTopicForm } },
    async (request, reply) => {
      const { slug } = request.params;
      const { topic, errors } = validateTopic({ ...request.body, slug });
      if (!topic) {
        const data = await showTopic(slug, request.body, errors);
        if (!data) return view(reply, 'message', { heading: 'No such topic', message: `No topic with the slug "${slug}".` }, 404);
        return view(reply, 'topic', data, 400);
      }
      await topics.update(slug, { name: topic.name, description: topic.description, terms: topic.terms });
      return seeOther(reply, `/admin/topics/${slug}`, 'topic-saved');
    },
  );
};
