/**
 * Domain errors carry a stable code (`subscriptions.token_invalid`), the HTTP status the API
 * should answer with, and optional details. The API's error handler turns them into
 * `{ error: { code, message, details? } }`; nothing else about them leaks.
 */
/**
 * Every error code there is, as the keys of one map. Each domain lists its own in its
 * *.errors.ts by merging into this map (`declare module '../shared/errors.ts'`), so a code nobody
 * declared, a typo, fails to compile.
 *
 * @public exported so the domains can merge into it
 */
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- only an interface can be merged into
export interface TErrorCodes {
  'queue.unavailable': true;
}

export type TErrorCode = keyof TErrorCodes;

export class AppError extends Error {
  readonly code: TErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor({ code, message, status, details, cause }: { code: TErrorCode; message: string; status: number; details?: unknown; cause?: unknown }) {
    super(message, { cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * A producer found the job queue down. Every route that enqueues answers this 503; the caller's
 * rows are committed first, so sending the request again is safe.
 */
export function queueUnavailableError({ cause, message = 'The job queue is not reachable; please try again in a few minutes.' }: { cause: unknown; message?: string }): AppError {
  return new AppError({ code: 'queue.unavailable', status: 503, message, cause });
}
