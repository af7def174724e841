import { AppError, queueUnavailableError } from '../shared/errors.ts';
import type { TTokenCheck } from './subscriptions.tokens.ts';

// The codes of this domain, as pages and clients see them.
declare module '../shared/errors.ts' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- merges into the map of every code
  interface TErrorCodes {
    'subscriptions.unknown_topics': true;
    'subscriptions.token_invalid': true;
    'subscriptions.token_expired': true;
    'subscriptions.token_used': true;
    'subscriptions.subscriber_gone': true;
    'subscriptions.not_found': true;
    'subscriptions.already_exists': true;
    'subscriptions.address_erased': true;
    'subscriptions.rate_limited': true;
    'subscriptions.pause_invalid': true;
    'subscriptions.erase_unconfirmed': true;
  }
}

export type TFieldError = { field: string; message: string };

export function unknownTopicsError({ slugs, field = 'body.topics' }: { slugs: string[]; field?: string }): AppError {
  return new AppError({
    code: 'subscriptions.unknown_topics',
    status: 400,
    message: `Invalid ${field}`,
    details: [{ field, message: `unknown topic${slugs.length === 1 ? '' : 's'}: ${slugs.join(', ')}` }] satisfies TFieldError[],
  });
}

/** Forged, malformed or meant for something else: the link is simply not one of ours. */
export function tokenInvalidError(): AppError {
  return new AppError({ code: 'subscriptions.token_invalid', status: 404, message: 'This link is not valid.' });
}

export function tokenExpiredError(): AppError {
  return new AppError({ code: 'subscriptions.token_expired', status: 410, message: 'This link has expired.' });
}

/** A confirm link for an address that unsubscribed or erased its data since the link was sent. */
export function tokenUsedError(): AppError {
  return new AppError({ code: 'subscriptions.token_used', status: 410, message: 'This link can no longer be used.' });
}

export function subscriberGoneError(): AppError {
  return new AppError({ code: 'subscriptions.subscriber_gone', status: 410, message: 'The data behind this link was deleted.' });
}

export function tokenError(check: Exclude<TTokenCheck, { isValid: true }>): AppError {
  return check.reason === 'expired' ? tokenExpiredError() : tokenInvalidError();
}

export function signupNotQueuedError(cause: unknown): AppError {
  return queueUnavailableError({ cause, message: 'We cannot send mail right now. Your signup was saved; please try again in a few minutes.' });
}

export function subscriberNotFoundError(): AppError {
  return new AppError({ code: 'subscriptions.not_found', status: 404, message: 'No subscriber with this id.' });
}

export function subscriberExistsError({ subscriberId, status }: { subscriberId: string; status: string }): AppError {
  return new AppError({
    code: status === 'erased' ? 'subscriptions.address_erased' : 'subscriptions.already_exists',
    status: 409,
    message:
      status === 'erased'
        ? 'This address erased its data and must never be mailed again.'
        : `This address is already known (status ${status}).`,
    details: status === 'erased' ? undefined : { subscriberId, status },
  });
}

export function rateLimitedError({ retryAfter }: { retryAfter: string }): AppError {
  return new AppError({
    code: 'subscriptions.rate_limited',
    status: 429,
    message: `Too many signups from your network. Try again in ${retryAfter}.`,
  });
}
