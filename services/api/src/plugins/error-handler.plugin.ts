import { isAppError } from '@paperboy/domain';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';

export const ZErrorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .describe('Every error: a stable code, a message for people, and details such as the fields that were refused.');

export type TErrorBody = z.infer<typeof ZErrorBody>;

/** One place that turns every thrown error into `{ error: { code, message, details? } }`. */
export const errorHandlerPlugin = fp(
  (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (hasZodFastifySchemaValidationErrors(error)) {
        const details = error.validation.map((issue: { instancePath: string; message?: string }) => ({
          field: [error.validationContext, ...issue.instancePath.split('/').filter(Boolean)].join('.'),
          message: issue.message,
        }));
        return reply.code(400).send({
          error: {
            code: 'request.invalid',
            message: `Invalid ${details.map((detail) => detail.field).join(', ')}`,
            details,
          },
        } satisfies TErrorBody);
      }
      if (isAppError(error)) {
        if (error.status >= 500) request.log.error({ err: error }, error.message);
        return reply.code(error.status).send({
          error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) },
        } satisfies TErrorBody);
      }
      const status = error.statusCode ?? 500;
      if (status < 500 && !isResponseSerializationError(error)) {
        return reply.code(status).send({
          error: { code: `request.${(error.code ?? 'error').toLowerCase()}`, message: error.message },
        } satisfies TErrorBody);
      }
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ error: { code: 'internal', message: 'Something went wrong on our side.' } } satisfies TErrorBody);
    });

    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` } }),
    );
  },
  { name: 'error-handler' },
);
