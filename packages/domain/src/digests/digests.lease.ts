import type { TConfig } from '@paperboy/config';

/**
 * A worker holds DIGEST_SEND_CONCURRENCY claimed groups at once. Under a rate limit the last of
 * them waits its turn; its lease must outlast that wait (twice over), or another worker would
 * take it for abandoned and send it again. Returns the problem, or undefined when the lease is long enough.
 */
export function checkSendLease({ config }: { config: Pick<TConfig, 'mail' | 'digests'> }): string | undefined {
  const rate = config.mail.ratePerSecond;
  if (!rate) return undefined;
  const { sendConcurrency, sendInFlight, leaseMs } = config.digests;
  const drainMs = ((sendConcurrency * sendInFlight) / rate) * 1_000;
  if (leaseMs >= 2 * drainMs) return undefined;
  return `DIGEST_SEND_LEASE_MS: must be at least ${Math.ceil(2 * drainMs)} at SMTP_RATE_PER_SECOND=${rate} (twice the time to send the DIGEST_SEND_CONCURRENCY groups a worker claims at once)`;
}

/** Refuses to start sending with a lease that would let a second worker resend a slow batch. */
export function assertSendLease({ config }: { config: Pick<TConfig, 'mail' | 'digests'> }): void {
  const problem = checkSendLease({ config });
  if (problem) throw new Error(`Invalid configuration: ${problem}`);
}
