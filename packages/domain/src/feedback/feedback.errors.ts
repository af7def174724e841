import { AppError } from '../shared/errors.ts';

/** The paper a feedback link rates was deleted since the digest was sent. */
export function paperGoneError(): AppError {
  return new AppError({ code: 'feedback.paper_gone', status: 410, message: 'This paper is no longer in Paperboy.' });
}

declare module '../shared/errors.ts' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- merges into the map of every code
  interface TErrorCodes {
    'feedback.paper_gone': true;
    'feedback.paper_invalid': true;
  }
}
