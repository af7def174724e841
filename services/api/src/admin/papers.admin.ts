import type { MultipartFile } from '@fastify/multipart';
import { AppError, createPapersRepository, ingestPapers, listTopicsForAdmin, type TIngestResult } from '@paperboy/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createEnqueueMatches } from '@paperboy/queue';
import { pager } from './admin.pager.ts';
import type { TAdminRouteOptions } from './admin.view.ts';

const PAGE_SIZE = 20;

const ZPapersQuery = z.object({
  q: z.string().trim().max(200).optional(),
  topic: z.string().max(60).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

// Same rule as the JSON endpoint: a file's own type is often generic, its extension says more.
function contentTypeOf(file: MultipartFile): string {
  if (/\.(jsonl|ndjson)$/i.test(file.filename)) return 'application/x-ndjson';
  if (/\.(xml|atom)$/i.test(file.filename)) return 'application/atom+xml';
  if (/\.json$/i.test(file.filename)) return 'application/json';
  return file.mimetype;
}

export const paperRoutes: FastifyPluginAsyncZod<TAdminRouteOptions> = async (app, { view, checkCsrf }) => {
  const showPapers = async (query: z.infer<typeof ZPapersQuery>, report?: TIngestResult & { filename: string }) => {
    const q = query.q || undefined;
    const topic = query.topic || undefined;
    const [{ items, total }, topics] = await Promise.all([
      createPapersRepository({ db: app.db }).listPapers({ q, topic, page: query.page, pageSize: PAGE_SIZE }),
      listTopicsForAdmin({ db: app.db }),
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

  app.post('/admin/papers/upload', { preValidation: checkCsrf, bodyLimit: 9 * 1024 * 1024, schema: { hide: true } }, async (request, reply) => {
    const file = (request.body as { file?: MultipartFile } | undefined)?.file;
    if (!file || typeof file !== 'object' || !('filename' in file) || !file.filename) {
      throw new AppError({ code: 'papers.unparseable', status: 400, message: 'Choose a file to upload.' });
    }
    const body = (await file.toBuffer()).toString('utf8');
    const result = await ingestPapers({ db: app.db, body, contentType: contentTypeOf(file), enqueueMatches: createEnqueueMatches(app.queues, { traceId: request.id }) });
    request.log.info({ format: result.format, stored: result.stored, rejected: result.rejected.length }, 'papers uploaded from the console');
    return view(reply, 'papers', await showPapers({ page: 1 }, { ...result, filename: file.filename }));
  });
};
