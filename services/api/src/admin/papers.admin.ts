import type { MultipartFile } from '@fastify/multipart';
import { AppError, type TIngestResult } from '@paperboy/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { INGEST_MAX_BYTES, uploadContentType } from '../services/papers.service.ts';
import { pager } from './admin.pager.ts';
import type { TAdminRouteOptions } from './admin.view.ts';

const PAGE_SIZE = 20;
// Room for the form's boundaries and its CSRF field around a file of the largest size.
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

const ZPapersQuery = z.object({
  q: z.string().trim().max(200).optional(),
  topic: z.string().max(60).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

export const paperRoutes: FastifyPluginAsyncZod<TAdminRouteOptions> = async (app, { view, checkCsrf }) => {
  const showPapers = async (query: z.infer<typeof ZPapersQuery>, report?: TIngestResult & { filename: string }) => {
    const q = query.q || undefined;
    const topic = query.topic || undefined;
    const [{ items, total }, topics] = await Promise.all([
      app.services.papers.list({ q, topic, page: query.page, pageSize: PAGE_SIZE }),
      app.services.topics.listForAdmin(),
    ]);
    return {
      section: 'papers',
      papers: items,
      total,
      q,
      topic,
      topics: topics.map(({ slug, name }) => ({ slug, name })),
      pager: pager({ path: '/admin/papers', params: { q, topic }, page: query.page, pageSize: PAGE_SIZE, total }),
      report,
    };
  };

  app.get('/admin/papers', { schema: { hide: true, querystring: ZPapersQuery } }, async (request, reply) =>
    view(reply, 'papers', await showPapers(request.query)),
  );

  app.post('/admin/papers/upload', { preValidation: checkCsrf, bodyLimit: INGEST_MAX_BYTES + MULTIPART_OVERHEAD_BYTES, schema: { hide: true } }, async (request, reply) => {
    const file = (request.body as { file?: MultipartFile } | undefined)?.file;
    if (!file || typeof file !== 'object' || !('filename' in file) || !file.filename) {
      throw new AppError({ code: 'papers.unparseable', status: 400, message: 'Choose a file to upload.' });
    }
    const body = (await file.toBuffer()).toString('utf8');
    const result = await app.services.papers.ingest({ body, contentType: uploadContentType(file), traceId: request.id });
    request.log.info({ format: result.format, stored: result.stored, rejected: result.rejected.length }, 'papers uploaded from the console');
    return view(reply, 'papers', await showPapers({ page: 1 }, { ...result, filename: file.filename }));
  });
};
