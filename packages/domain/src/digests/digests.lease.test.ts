import { loadConfig } from '@paperboy/config';
import { describe, expect, it } from 'vitest';
import { assertSendLease, checkSendLease } from './digests.lease.ts';

describe('checkSendLease', () => {
  it('refuses a send lease shorter than twice the time a rate-limited worker needs for what it claims', () => {
    // 4 jobs each holding 2 x 5 connections = 10 claimed deliveries, at 2 messages/s, is 20 s of
    // sending: the lease must be at least 40 s.
    const env = { SMTP_RATE_PER_SECOND: '2', DIGEST_SEND_CONCURRENCY: '4', DIGEST_SEND_BATCH_SIZE: '50', SMTP_MAX_CONNECTIONS: '5' };
    expect(checkSendLease({ config: loadConfig({ env: { ...env, DIGEST_SEND_LEASE_MS: '39000' } }) })).toBe(
      'DIGEST_SEND_LEASE_MS: must be at least 40000 at SMTP_RATE_PER_SECOND=2 (twice the time to send the DIGEST_SEND_CONCURRENCY groups a worker claims at once)',
    );
    expect(() => assertSendLease({ config: loadConfig({ env: { ...env, DIGEST_SEND_LEASE_MS: '39000' } }) })).toThrow(/^Invalid configuration: DIGEST_SEND_LEASE_MS: /);
    const config = loadConfig({ env: { ...env, DIGEST_SEND_LEASE_MS: '40000' } });
    expect(config.digests).toMatchObject({ leaseMs: 40_000, sendInFlight: 10 });
    expect(checkSendLease({ config })).toBeUndefined();
  });

  it('without a rate limit, any lease will do', () => {
    expect(checkSendLease({ config: loadConfig({ env: { DIGEST_SEND_LEASE_MS: '1000' } }) })).toBeUndefined();
  });
});
