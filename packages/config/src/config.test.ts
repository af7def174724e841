import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

function problemsFor(env: Record<string, string>): string[] {
  try {
    loadConfig({ env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('with an empty environment, falls back to the local services', () => {
    const config = loadConfig({ env: {} });
    expect(config.server.port).toBe(3000);
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/paperboy');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.mail.smtpUrl).toBeUndefined();
  });

  it('parses and normalizes the values it is given', () => {
    const config = loadConfig({
      env: { PORT: '8080', PUBLIC_URL: 'https://news.example.org/', SMTP_URL: 'smtp://mail:25', WORKER_CONCURRENCY: '4' },
    });
    expect(config.server.port).toBe(8080);
    expect(config.server.publicUrl).toBe('https://news.example.org');
    expect(config.mail.smtpUrl).toBe('smtp://mail:25');
    expect(config.worker.concurrency).toBe(4);
  });

  it('when PORT is not a port number, names PORT in the error', () => {
    const problems = problemsFor({ PORT: 'eighty' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PORT: /);
  });

  it('when DATABASE_URL is not a postgres URL, names DATABASE_URL', () => {
    expect(problemsFor({ DATABASE_URL: 'mysql://localhost/db' })).toEqual(['DATABASE_URL: must be a URL']);
  });

  it('reports every bad variable at once', () => {
    const problems = problemsFor({ PORT: '0', REDIS_URL: 'nope', SECRET_KEY: 'short' });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(['PORT', 'REDIS_URL', 'SECRET_KEY']);
  });

  it('in production, refuses to start with the default secrets', () => {
    const problems = problemsFor({ NODE_ENV: 'production' });
    expect(problems).toEqual([
      'ADMIN_TOKEN: must be set in production (the default is public)',
      'SECRET_KEY: must be set in production (the default is public)',
    ]);
  });

  it('in production, accepts secrets that were set', () => {
    const config = loadConfig({
      env: { NODE_ENV: 'production', ADMIN_TOKEN: 'a'.repeat(32), SECRET_KEY: 'b'.repeat(48) },
    });
    expect(config.isProduction).toBe(true);
  });

  it('the one-line message names the variable', () => {
    expect(() => loadConfig({ env: { LOG_LEVEL: 'loud' } })).toThrow(/^Invalid configuration: LOG_LEVEL: /);
  });

  it('trusts no proxy unless TRUST_PROXY says which: a hop count or a list of addresses and CIDRs', () => {
    expect(loadConfig({ env: {} }).security.trustProxy).toBe(false);
    expect(loadConfig({ env: { TRUST_PROXY: 'false' } }).security.trustProxy).toBe(false);
    expect(loadConfig({ env: { TRUST_PROXY: '1' } }).security.trustProxy).toBe(1);
    expect(loadConfig({ env: { TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' } }).security.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1']);
  });

  it('refuses a TRUST_PROXY that is neither a hop count nor proxy addresses, naming the variable', () => {
    expect(problemsFor({ TRUST_PROXY: 'true' })[0]).toMatch(/^TRUST_PROXY/);
    expect(problemsFor({ TRUST_PROXY: '10.0.0.0/8,proxy.local' })[0]).toMatch(/^TRUST_PROXY/);
    expect(problemsFor({ TRUST_PROXY: '0' })[0]).toMatch(/^TRUST_PROXY/);
  });

  it('METRICS_TOKEN is optional, and too short a one is refused', () => {
    expect(loadConfig({ env: {} }).security.metricsToken).toBeUndefined();
    expect(loadConfig({ env: { METRICS_TOKEN: 'm'.repeat(24) } }).security.metricsToken).toBe('m'.repeat(24));
    expect(problemsFor({ METRICS_TOKEN: 'short' })).toEqual(['METRICS_TOKEN: must be at least 16 characters']);
  });
});
