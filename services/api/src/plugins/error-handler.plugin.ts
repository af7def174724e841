import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { classifyError, logIfInternal } from './errors.classify.ts';

export const ZErrorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .describe('Every error: a stable code, a message for people, and details such as the fields that were refused.');

type TErrorBody = z.infer<typeof ZErrorBody>;

/** The JSON API's error handler: every thrown error becomes `{ error: { code, message, details? } }`. */
export const errorHandlerPlugin = fp(
  (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const classified = classifyError(error);
      logIfInternal(request, error, classified);
      const { code, message, details } = classified;
      return reply.code(classified.status).send({ error: { code, message, ...(details === undefined ? {} : { details }) } } satisfies TErrorBody);
    });

    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` } }),
    );
  },
  { name: 'error-handler' },
);
