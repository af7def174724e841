import { isAppError, queueUnavailableError } from '@paperboy/domain';
import { describeRedisError } from '@paperboy/queue';
import type { FastifyError, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';

/** What went wrong, told once for the JSON API, the pages and the console alike. */
export type TClassifiedError = {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  /** Where a path parameter (a token or an id in a link) failed its schema. */
  isBadPathParam: boolean;
  isCsrf: boolean;
};

const INTERNAL_MESSAGE = 'Something went wrong on our side.';

function validationDetails(error: FastifyError & { validation: { instancePath: string; message?: string }[] }, context: string | undefined) {
  return error.validation.map((issue) => ({
    field: [context, ...issue.instancePath.split('/').filter(Boolean)].join('.'),
    message: issue.message,
  }));
}

export function classifyError(error: FastifyError): TClassifiedError {
  const base = { isBadPathParam: false, isCsrf: false };
  if (hasZodFastifySchemaValidationErrors(error)) {
    const details = validationDetails(error, error.validationContext);
    const message = `Invalid ${details.map((detail) => detail.field).join(', ')}`;
    return { ...base, status: 400, code: 'request.invalid', message, details, isBadPathParam: error.validationContext === 'params' };
  }
  if (isAppError(error)) {
    return { ...base, status: error.status, code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) };
  }
  // A queue outage answers 503 on every route, whichever producer met it first.
  if (describeRedisError(error) !== undefined) {
    const outage = queueUnavailableError({ cause: error });
    return { ...base, status: outage.status, code: outage.code, message: outage.message };
  }
  if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
    return { ...base, status: 403, code: 'request.csrf_invalid', message: 'The form token is missing or invalid.', isCsrf: true };
  }
  const status = error.statusCode ?? 500;
  if (status < 500 && !isResponseSerializationError(error)) {
    return { ...base, status, code: `request.${(error.code ?? 'error').toLowerCase()}`, message: error.message };
  }
  return { ...base, status: 500, code: 'internal', message: INTERNAL_MESSAGE };
}

/** Every 5xx is logged with its cause; nothing about it reaches the client. */
export function logIfInternal(request: FastifyRequest, error: FastifyError, classified: TClassifiedError): void {
  if (classified.status >= 500) request.log.error({ err: error, code: classified.code }, 'request failed');
}
