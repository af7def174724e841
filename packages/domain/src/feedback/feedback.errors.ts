import { AppError } from '../shared/errors.ts';

/** The paper a feedback link rates was deleted since the digest was sent. */
export function paperGoneError(): AppError {
  return new AppError({ code: 'feedback.paper_gone', status: 410, message: 'This paper is no longer in Paperboy.' });
}
