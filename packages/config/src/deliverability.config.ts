import { z } from 'zod';
import { emptyAsUndefined, positiveInt, ratio } from './fields.config.ts';

// Bounces, complaints and the suppression list. Every part is off until its variables are set,
// except the limits, whose defaults follow what large mailbox providers tolerate.
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsUndefined, schema.optional());

export const ZDeliverabilityEnv = z.object({
  SOFT_BOUNCE_LIMIT: positiveInt.default(3),
  RUN_MAX_HARD_BOUNCE_RATE: ratio.default(0.05),
  RUN_MAX_COMPLAINT_RATE: ratio.default(0.003),
  BOUNCE_DOMAIN: optional(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$|^localhost$/i, 'must be a domain name')),
  BOUNCE_IMAP_URL: optional(z.url({ protocol: /^imaps?$/, error: 'must be an imap:// or imaps:// URL with user and password' })),
  BOUNCE_IMAP_MAILBOX: z.string().min(1).default('INBOX'),
  BOUNCE_IMAP_PROCESSED_MAILBOX: z.string().min(1).default('Processed'),
  BOUNCE_IMAP_POLL_SECONDS: positiveInt.default(300),
  SES_SNS_TOPIC_ARNS: z.preprocess(
    (value) => (typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter(Boolean) : value),
    z.array(z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'must be SNS topic ARNs, comma-separated')).default([]),
  ),
  // Unset: only SNS's own hosts (sns.<region>.amazonaws.com). Set: exactly this host, for a local
  // stand-in; a parent domain is not accepted, since amazonaws.com also serves anyone's S3 bucket.
  SES_SNS_CERT_HOST: optional(
    z
      .string()
      .regex(/^[a-z0-9.-]+$|^\[[0-9a-f:]+\]$/i, 'must be a single host name, without scheme, port or path')
      .refine((host) => !/^amazonaws\.com(\.cn)?$/i.test(host), 'leave unset for Amazon SNS; a parent domain is not accepted'),
  ),
  // A CA to trust, besides the system's, when fetching SNS certificates (a TLS-inspecting proxy).
  SES_SNS_CERT_CA: optional(z.string().includes('BEGIN CERTIFICATE', { message: 'must be a PEM certificate' })),
  POSTMARK_WEBHOOK_USER: optional(z.string().min(1)),
  POSTMARK_WEBHOOK_PASSWORD: optional(z.string().min(16, 'must be at least 16 characters')),
});

export type TDeliverabilityEnv = z.infer<typeof ZDeliverabilityEnv>;

export function shapeDeliverability(env: TDeliverabilityEnv) {
  const imap = env.BOUNCE_IMAP_URL ? new URL(env.BOUNCE_IMAP_URL) : undefined;
  return {
    softBounceLimit: env.SOFT_BOUNCE_LIMIT,
    runMaxHardBounceRate: env.RUN_MAX_HARD_BOUNCE_RATE,
    runMaxComplaintRate: env.RUN_MAX_COMPLAINT_RATE,
    bounceDomain: env.BOUNCE_DOMAIN,
    imap: imap && {
      host: imap.hostname,
      port: Number(imap.port) || (imap.protocol === 'imaps:' ? 993 : 143),
      secure: imap.protocol === 'imaps:',
      user: decodeURIComponent(imap.username),
      password: decodeURIComponent(imap.password),
      mailbox: env.BOUNCE_IMAP_MAILBOX,
      processedMailbox: env.BOUNCE_IMAP_PROCESSED_MAILBOX,
      pollMs: env.BOUNCE_IMAP_POLL_SECONDS * 1_000,
    },
    ses: { topicArns: env.SES_SNS_TOPIC_ARNS, certHost: env.SES_SNS_CERT_HOST, certCa: env.SES_SNS_CERT_CA },
    postmark:
      env.POSTMARK_WEBHOOK_USER && env.POSTMARK_WEBHOOK_PASSWORD
        ? { user: env.POSTMARK_WEBHOOK_USER, password: env.POSTMARK_WEBHOOK_PASSWORD }
        : undefined,
  };
}

/** Cross-field checks, run inside the main schema's superRefine. */
export function checkDeliverability(env: TDeliverabilityEnv, addIssue: (path: string, message: string) => void) {
  if (Boolean(env.POSTMARK_WEBHOOK_USER) !== Boolean(env.POSTMARK_WEBHOOK_PASSWORD)) {
    addIssue('POSTMARK_WEBHOOK_PASSWORD', 'POSTMARK_WEBHOOK_USER and POSTMARK_WEBHOOK_PASSWORD go together');
  }
  if (env.BOUNCE_IMAP_URL) {
    const url = new URL(env.BOUNCE_IMAP_URL);
    if (!url.username || !url.password) addIssue('BOUNCE_IMAP_URL', 'must carry the user and password (imap://user:password@host:port)');
  }
}
