import multipart from '@fastify/multipart';
import { AppError } from '@paperboy/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZErrorBody } from '../plugins/error-handler.plugin.ts';
import { INGEST_MAX_BYTES, uploadContentType } from '../services/papers.service.ts';

const RAW_TYPES = ['application/json', 'application/x-ndjson', 'application/jsonl', 'application/json-seq', 'application/atom+xml', 'application/xml', 'text/xml'];

const ZIngestResult = z
  .object({
    format: z.enum(['huggingface', 'arxiv-atom', 'paperboy-json', 'paperboy-jsonl']),
    received: z.number().int().describe('items in the body'),
    stored: z.number().int().describe('distinct valid papers now stored: created + updated + unchanged'),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    matchJobs: z.number().int().describe('papers queued for matching (new or changed text)'),
    rejected: z.array(
      z.object({
        index: z.number().int().describe('position of the item in the batch (JSON Lines: among non-empty lines)'),
        field: z.string().optional().describe("the sender's field name, e.g. paper.id"),
        reason: z.string(),
      }),
    ),
  })
  .describe('Valid items are stored in one transaction; each refused item is listed with its index and reason.');

const ZPaperTopic = z.object({ slug: z.string(), name: z.string(), score: z.number(), matchedTerms: z.array(z.string()) });
const ZListedPaper = z.object({
  id: z.number().int(),
  arxivId: z.string(),
  title: z.string(),
  abstract: z.string(),
  authors: z.array(z.string()),
  categories: z.array(z.string()),
  publishedAt: z.string().nullable(),
  upvotes: z.number().int(),
  githubRepo: z.string().nullable(),
  projectPage: z.string().nullable(),
  source: z.string(),
  ingestedAt: z.string(),
  matchedAt: z.string().nullable(),
  topics: z.array(ZPaperTopic),
});

const ZListQuery = z.object({
  q: z.string().trim().min(1).max(200).optional().describe('full-text search (web search syntax: "a phrase", -word, or)'),
  topic: z.string().max(60).optional().describe('only papers matched to this topic slug'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export const papersRoutes: FastifyPluginAsyncZod = async (app) => {
  // Bodies stay raw text here: the format is told apart by content type and shape, and a
  // malformed item must be reported by index rather than fail the whole request as bad JSON.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(RAW_TYPES, { parseAs: 'string', bodyLimit: INGEST_MAX_BYTES }, (_request, body, done) => done(null, body));
  await app.register(multipart, { limits: { fileSize: INGEST_MAX_BYTES, files: 1, fields: 10 } });

  app.post(
    '/api/admin/papers',
    {
      onRequest: app.requireAdmin,
      bodyLimit: INGEST_MAX_BYTES,
      schema: {
        tags: ['papers'],
        summary: 'Ingest papers',
        description:
          'Body: a Hugging Face daily papers array or an array of Paperboy papers (application/json), JSON Lines ' +
          '(application/x-ndjson or application/jsonl), an arXiv Atom feed (application/atom+xml, application/xml, text/xml), ' +
          'or one file in multipart/form-data. Papers are keyed by arXiv id without version: a re-ingest updates in place. ' +
          `400 when nothing in the body is usable; 413 above ${INGEST_MAX_BYTES} bytes or 5,000 items; 503 when match jobs could not be queued (papers are kept).`,
        security: [{ admin: [] }],
        consumes: [...RAW_TYPES, 'multipart/form-data'],
        // Raw text for the JSON, JSON Lines and XML types; null for multipart, whose file is read in the handler.
        body: z.string().nullish(),
        response: { 200: ZIngestResult, 400: ZErrorBody, 401: ZErrorBody, 413: ZErrorBody, 415: ZErrorBody, 503: ZErrorBody },
      },
    },
    async (request) => {
      let body = request.body;
      let contentType = request.headers['content-type'] ?? '';
      if (request.isMultipart()) {
        const file = await request.file();
        if (!file) throw new AppError({ code: 'papers.unparseable', status: 400, message: 'The multipart body holds no file.' });
        try {
          body = (await file.toBuffer()).toString('utf8');
        } catch (error) {
          if (error instanceof app.multipartErrors.RequestFileTooLargeError) {
            throw new AppError({ code: 'papers.too_large', status: 413, message: `The file is larger than ${INGEST_MAX_BYTES} bytes.` });
          }
          throw error;
        }
        contentType = uploadContentType(file);
      }
      if (typeof body !== 'string') throw new AppError({ code: 'papers.unparseable', status: 400, message: 'The body is empty.' });
      return app.services.papers.ingest({ body, contentType, traceId: request.id });
    },
  );

  app.get(
    '/api/admin/papers',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['papers'],
        summary: 'List papers with their matched topics',
        description: 'Paged; newest first, or best match first with `q`. Each paper lists its topics with score and matched terms.',
        security: [{ admin: [] }],
        querystring: ZListQuery,
        response: {
          200: z.object({ items: z.array(ZListedPaper), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() }),
          400: ZErrorBody,
          401: ZErrorBody,
        },
      },
    },
    async (request) => {
      const { q, topic, page, pageSize } = request.query;
      const { items, total } = await app.services.papers.list({ q, topic, page, pageSize });
      return { items, page, pageSize, total };
    },
  );
};
