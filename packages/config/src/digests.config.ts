import { z } from 'zod';
import { booleanish, emptyAsUndefined, positiveInt, ratio } from './fields.config.ts';

const cron = z.string().regex(/^(\S+\s+){4}\S+$/, 'must be a cron expression with five fields');

// Digest schedules, sending and signing.
export const ZDigestsEnv = z.object({
  DIGEST_SCHEDULES_ENABLED: z.preprocess(emptyAsUndefined, booleanish.default(true)),
  DIGEST_WEEKLY_CRON: cron.default('0 8 * * 1'),
  DIGEST_DAILY_CRON: cron.default('0 7 * * *'),
  DIGEST_WEEKLY_LOOKBACK_DAYS: positiveInt.default(7),
  DIGEST_DAILY_LOOKBACK_DAYS: positiveInt.default(1),
  DIGEST_MAX_FAILURE_RATIO: ratio.default(0.1),
  // Send jobs a worker runs at once, each a batch of DIGEST_SEND_BATCH_SIZE deliveries.
  DIGEST_SEND_CONCURRENCY: positiveInt.default(4),
  DIGEST_SEND_BATCH_SIZE: positiveInt.max(1_000, 'must be at most 1000').default(50),
  DIGEST_MAX_ATTEMPTS: positiveInt.default(8),
  DIGEST_SEND_LEASE_MS: positiveInt.default(120_000),
  DIGEST_SUPERVISOR_INTERVAL_MS: positiveInt.default(5_000),
  UNSUBSCRIBE_MAILTO: z.preprocess(emptyAsUndefined, z.email('must be an email address').optional()),
  DKIM_DOMAIN: z.preprocess(emptyAsUndefined, z.string().min(3).optional()),
  DKIM_SELECTOR: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  DKIM_PRIVATE_KEY: z.preprocess(emptyAsUndefined, z.string().includes('PRIVATE KEY', { message: 'must be a PEM private key' }).optional()),
});

export type TDigestsEnv = z.infer<typeof ZDigestsEnv>;

/** Deliveries a send job claims and sends at once (see `digests.sendInFlight`). */
function sendInFlight(env: { DIGEST_SEND_BATCH_SIZE: number; SMTP_MAX_CONNECTIONS: number }): number {
  return Math.min(env.DIGEST_SEND_BATCH_SIZE, 2 * env.SMTP_MAX_CONNECTIONS);
}

export function shapeDigests(env: TDigestsEnv & { SMTP_MAX_CONNECTIONS: number }) {
  return {
    schedulesEnabled: env.DIGEST_SCHEDULES_ENABLED,
    cron: { weekly: env.DIGEST_WEEKLY_CRON, daily: env.DIGEST_DAILY_CRON },
    lookbackDays: { weekly: env.DIGEST_WEEKLY_LOOKBACK_DAYS, daily: env.DIGEST_DAILY_LOOKBACK_DAYS },
    maxFailureRatio: env.DIGEST_MAX_FAILURE_RATIO,
    sendConcurrency: env.DIGEST_SEND_CONCURRENCY,
    sendBatchSize: env.DIGEST_SEND_BATCH_SIZE,
    // A send job claims and sends its batch this many at a time: two per pooled SMTP
    // connection keeps every connection busy while the next messages render.
    sendInFlight: sendInFlight(env),
    maxAttempts: env.DIGEST_MAX_ATTEMPTS,
    leaseMs: env.DIGEST_SEND_LEASE_MS,
    supervisorIntervalMs: env.DIGEST_SUPERVISOR_INTERVAL_MS,
    unsubscribeMailto: env.UNSUBSCRIBE_MAILTO,
    dkim:
      env.DKIM_DOMAIN && env.DKIM_SELECTOR && env.DKIM_PRIVATE_KEY
        ? { domainName: env.DKIM_DOMAIN, keySelector: env.DKIM_SELECTOR, privateKey: env.DKIM_PRIVATE_KEY }
        : undefined,
  };
}

/** Cross-field checks, run inside the main schema's superRefine. */
export function checkDigests(env: TDigestsEnv, addIssue: (path: string, message: string) => void) {
  const dkim = [env.DKIM_DOMAIN, env.DKIM_SELECTOR, env.DKIM_PRIVATE_KEY];
  if (dkim.some(Boolean) && !dkim.every(Boolean)) {
    addIssue('DKIM_PRIVATE_KEY', 'DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY go together');
  }
}
