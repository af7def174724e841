import { z } from 'zod';
import { checkDeliverability, shapeDeliverability, ZDeliverabilityEnv } from './deliverability.config.ts';
import { checkDigests, shapeDigests, ZDigestsEnv } from './digests.config.ts';
import { booleanish, emptyAsUndefined, port, positiveInt, url } from './fields.config.ts';

// Defaults point at the services a developer runs locally. They are fine for a laptop and
// refused in production (see the cross-field check at the bottom).
const DEV_ADMIN_TOKEN = 'dev-admin-token-change-me';
const DEV_SECRET_KEY = 'dev-secret-key-change-me-0123456789abcdef';

const ZServerEnv = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  PUBLIC_URL: url(['http', 'https']).default('http://localhost:3000'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(8000),
});

const ZDatabaseEnv = z.object({
  DATABASE_URL: url(['postgres', 'postgresql']).default('postgres://postgres@127.0.0.1:5432/paperboy'),
  DATABASE_POOL_SIZE: positiveInt.default(10),
  // Longest a single statement (lock waits included) may run for the API and the worker.
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt.default(60_000),
});

const ZRedisEnv = z.object({
  REDIS_URL: url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'use lowercase letters, digits and dashes')
    .default('paperboy'),
});

const ZMailEnv = z.object({
  SMTP_URL: z.preprocess(emptyAsUndefined, url(['smtp', 'smtps']).optional()),
  MAIL_FROM: z.string().min(3).default('Paperboy <digest@paperboy.localhost>'),
  // Senders of bulk mail must show a postal address (CAN-SPAM); it goes in every footer.
  MAIL_POSTAL_ADDRESS: z.string().min(3).default('Paperboy, 1 Example Street, Springfield'),
  SMTP_MAX_CONNECTIONS: positiveInt.default(5),
  // Messages per second across a worker's pool; unset means as fast as the server accepts.
  SMTP_RATE_PER_SECOND: z.preprocess(emptyAsUndefined, positiveInt.optional()),
  DEV_INBOX_SMTP_PORT: port.default(1025),
  DEV_INBOX_WEB_PORT: port.default(1080),
});

// Which peers may tell the client's address in X-Forwarded-For. Trusting every peer would let
// anyone pick the IP that the signup limit counts and the consent log records, so the default
// trusts none: a hop count or a list of proxy addresses/CIDRs must be given on purpose.
const ZProxyAddress = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], { error: 'must be an IP address or CIDR range' });
const ZTrustProxy = z.preprocess(
  (value) => {
    if (value === undefined || value === '' || value === 'false') return false;
    if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
    if (typeof value === 'string') return value.split(',').map((item) => item.trim()).filter(Boolean);
    return value;
  },
  z.union([
    z.literal(false),
    z.number().int().min(1, 'must be a hop count of at least 1, a list of proxy addresses, or false').max(10, 'must be a hop count of at most 10'),
    z.array(ZProxyAddress).min(1),
  ]),
);

const ZSecurityEnv = z.object({
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').default(DEV_ADMIN_TOKEN),
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters').default(DEV_SECRET_KEY),
  TRUST_PROXY: ZTrustProxy,
  // Unset: /metrics is open (bind it to a private network). Set: scrapers send it as a bearer token.
  METRICS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
});

// Signup abuse limits and link lifetimes. Unsubscribe links must outlive old mail.
const ZSubscriptionsEnv = z.object({
  SIGNUP_RATE_LIMIT_MAX: positiveInt.default(10),
  SIGNUP_RATE_LIMIT_WINDOW_SECONDS: positiveInt.default(600),
  SIGNUP_HONEYPOT: z.preprocess(emptyAsUndefined, booleanish.default(true)),
  CONFIRMATION_RESEND_MINUTES: positiveInt.default(10),
  CONFIRM_TOKEN_TTL_DAYS: positiveInt.default(7),
  PREFERENCES_TOKEN_TTL_DAYS: positiveInt.default(180),
  UNSUBSCRIBE_TOKEN_TTL_DAYS: positiveInt.min(365, 'must be at least 365 (RFC 8058 links live in old mail)').default(730),
});

const ZWorkerEnv = z.object({
  WORKER_CONCURRENCY: positiveInt.default(16),
  RUN_SEED_ON_START: z.preprocess(emptyAsUndefined, booleanish.default(true)),
  // Where the worker serves GET /metrics; 0 turns it off. Unset: 9091, or off under NODE_ENV=test
  // so parallel test files do not fight over one port.
  WORKER_METRICS_PORT: z.preprocess(
    emptyAsUndefined,
    z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 (off) or a port up to 65535').max(65535, 'must be 0 (off) or a port up to 65535').optional(),
  ),
});

// Scheduled paper fetch: off unless PAPER_SOURCES lists at least one URL.
const ZPapersEnv = z.object({
  PAPER_SOURCES: z.preprocess(
    (value) => (typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter(Boolean) : value),
    z.array(url(['http', 'https'])).default([]),
  ),
  PAPER_FETCH_CRON: z.string().regex(/^(\S+\s+){4}\S+$/, 'must be a cron expression with five fields').default('0 * * * *'),
  // Where papers a reader names as liked are looked up by id (`?id_list=`) when not yet stored.
  ARXIV_API_URL: url(['http', 'https']).default('https://export.arxiv.org/api/query'),
});

const ZEnv = ZServerEnv.extend(ZDatabaseEnv.shape)
  .extend(ZRedisEnv.shape)
  .extend(ZMailEnv.shape)
  .extend(ZSecurityEnv.shape)
  .extend(ZWorkerEnv.shape)
  .extend(ZPapersEnv.shape)
  .extend(ZDigestsEnv.shape)
  .extend(ZSubscriptionsEnv.shape)
  .extend(ZDeliverabilityEnv.shape)
  .superRefine((env, ctx) => {
    checkDeliverability(env, (path, message) => ctx.addIssue({ code: 'custom', path: [path], message }));
    checkDigests(env, (path, message) => ctx.addIssue({ code: 'custom', path: [path], message }));
    if (env.NODE_ENV !== 'production') return;
    if (env.ADMIN_TOKEN === DEV_ADMIN_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_TOKEN'], message: 'must be set in production (the default is public)' });
    }
    if (env.SECRET_KEY === DEV_SECRET_KEY) {
      ctx.addIssue({ code: 'custom', path: ['SECRET_KEY'], message: 'must be set in production (the default is public)' });
    }
  });

export type TEnv = z.infer<typeof ZEnv>;

export type TConfig = ReturnType<typeof shape>;

function shape(env: TEnv) {
  return {
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    server: {
      host: env.HOST,
      port: env.PORT,
      publicUrl: env.PUBLIC_URL.replace(/\/+$/, ''),
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    },
    log: { level: env.LOG_LEVEL },
    database: { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE, statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS },
    redis: { url: env.REDIS_URL, queuePrefix: env.QUEUE_PREFIX },
    mail: {
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM,
      postalAddress: env.MAIL_POSTAL_ADDRESS,
      maxConnections: env.SMTP_MAX_CONNECTIONS,
      ratePerSecond: env.SMTP_RATE_PER_SECOND,
      devInbox: { smtpPort: env.DEV_INBOX_SMTP_PORT, webPort: env.DEV_INBOX_WEB_PORT },
    },
    security: { adminToken: env.ADMIN_TOKEN, secretKey: env.SECRET_KEY, trustProxy: env.TRUST_PROXY, metricsToken: env.METRICS_TOKEN },
    worker: {
      concurrency: env.WORKER_CONCURRENCY,
      seedOnStart: env.RUN_SEED_ON_START,
      metricsPort: env.WORKER_METRICS_PORT ?? (env.NODE_ENV === 'test' ? 0 : 9091),
    },
    papers: { sources: env.PAPER_SOURCES, fetchCron: env.PAPER_FETCH_CRON, arxivApiUrl: env.ARXIV_API_URL },
    digests: shapeDigests(env),
    deliverability: shapeDeliverability(env),
    subscriptions: {
      signupRateLimit: { max: env.SIGNUP_RATE_LIMIT_MAX, windowMs: env.SIGNUP_RATE_LIMIT_WINDOW_SECONDS * 1_000 },
      isHoneypotEnabled: env.SIGNUP_HONEYPOT,
      confirmationResendMs: env.CONFIRMATION_RESEND_MINUTES * 60_000,
      tokenTtlDays: {
        confirm: env.CONFIRM_TOKEN_TTL_DAYS,
        preferences: env.PREFERENCES_TOKEN_TTL_DAYS,
        unsubscribe: env.UNSUBSCRIBE_TOKEN_TTL_DAYS,
      },
    },
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig({ env = process.env }: { env?: Record<string, string | undefined> } = {}): TConfig {
  const result = ZEnv.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${describeIssue(issue)}`),
    );
  }
  return shape(result.data);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_format' && issue.format === 'url') return 'must be a URL';
  return issue.message;
}

/** Boot helper for entry points: one readable line and exit code 1 on bad config. */
export function loadConfigOrExit(options?: { env?: Record<string, string | undefined> }): TConfig {
  try {
    return loadConfig(options);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
