import { createHash, timingSafeEqual } from 'node:crypto';

// Hashing both sides gives equal-length buffers, so the comparison takes the same time
// whatever the length or content of the guess.
const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Whether a scrape may read the metrics: always when no token is configured, otherwise only
 * with `Authorization: Bearer <token>`. The API and the worker both ask this one question.
 */
export function isScrapeAllowed({ authorization, token }: { authorization: string | undefined; token: string | undefined }): boolean {
  if (token === undefined) return true;
  const given = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : '';
  return timingSafeEqual(digest(given), digest(token)) && given.length > 0;
}

export const METRICS_CHALLENGE = 'Bearer realm="paperboy-metrics"';
