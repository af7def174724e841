import { RESCORE_WINDOW_DAYS, ZTopic, ZTopicSlug } from '@paperboy/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZErrorBody } from '../plugins/error-handler.plugin.ts';

const ZPublicTopic = z.object({ slug: z.string(), name: z.string(), description: z.string() });
const ZTerm = z.object({ term: z.string(), weight: z.number() });
const ZAdminTopic = ZPublicTopic.extend({ terms: z.array(ZTerm), paperCount: z.number().int() });
const ZSavedTopic = z.object({
  topic: ZPublicTopic.extend({ terms: z.array(ZTerm) }),
  rematched: z.number().int().describe(`papers of the last ${RESCORE_WINDOW_DAYS} days that match the topic after the change`),
});
const ZTopicChanges = ZTopic.omit({ slug: true });

const rescoreNote =
  `Saving re-scores the papers ingested in the last ${RESCORE_WINDOW_DAYS} days against this topic in one set-based ` +
  'statement, in the same transaction, so the answer already reflects the new terms.';

const shape = (topic: { slug: string; name: string; description: string; terms: { term: string; weight: number }[] }) => ({
  slug: topic.slug,
  name: topic.name,
  description: topic.description,
  terms: topic.terms,
});

export const topicsRoutes: FastifyPluginAsyncZod = async (app) => {
  const topics = app.services.topics;

  app.get(
    '/api/topics',
    {
      schema: {
        tags: ['topics'],
        summary: 'The topics people can subscribe to',
        response: { 200: z.object({ topics: z.array(ZPublicTopic) }) },
      },
    },
    async () => ({ topics: await topics.listPublic() }),
  );

  app.get(
    '/api/admin/topics',
    {
      // onRequest, before validation: an anonymous caller must not learn which fields are wrong.
      onRequest: app.requireAdmin,
      schema: {
        tags: ['topics'],
        summary: 'Topics with their matcher definitions',
        security: [{ admin: [] }],
        response: { 200: z.object({ topics: z.array(ZAdminTopic) }), 401: ZErrorBody },
      },
    },
    async () => {
      const all = await topics.listForAdmin();
      return { topics: all.map((topic) => ({ ...shape(topic), paperCount: topic.paperCount })) };
    },
  );

  app.post(
    '/api/admin/topics',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['topics'],
        summary: 'Add a topic',
        description: `Terms are words or phrases with a weight from 0.05 (weak hint) to 1 (defining term). ${rescoreNote}`,
        security: [{ admin: [] }],
        body: ZTopic,
        response: { 201: ZSavedTopic, 400: ZErrorBody, 401: ZErrorBody, 409: ZErrorBody },
      },
    },
    async (request, reply) => {
      const { topic, rematched } = await topics.create(request.body);
      return reply.code(201).send({ topic: shape(topic), rematched });
    },
  );

  app.put(
    '/api/admin/topics/:slug',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['topics'],
        summary: "Edit a topic's name, description and terms",
        description: rescoreNote,
        security: [{ admin: [] }],
        params: z.object({ slug: ZTopicSlug }),
        body: ZTopicChanges,
        response: { 200: ZSavedTopic, 400: ZErrorBody, 401: ZErrorBody, 404: ZErrorBody },
      },
    },
    async (request) => {
      const { topic, rematched } = await topics.update(request.params.slug, request.body);
      return { topic: shape(topic), rematched };
    },
  );
};
