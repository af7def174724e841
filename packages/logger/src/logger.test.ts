import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactText, redactUrl } from './index.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('redacts email addresses and tokens in logged objects', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', name: 'test', destination });
    logger.info({ email: 'ada@example.org', subscriber: { email: 'bob@example.org' }, token: 'abc.def' }, 'signup');
    const line = lines.join('');
    expect(line).not.toContain('ada@example.org');
    expect(line).not.toContain('bob@example.org');
    expect(line).not.toContain('abc.def');
    expect(line).toContain('[redacted]');
  });

  it('cuts tokens out of request paths and addresses out of free text', () => {
    expect(redactText('/unsubscribe/v1.abc.def?x=1')).toBe('/unsubscribe/[redacted]?x=1');
    expect(redactText('sent to ada.l@example.org ok')).toBe('sent to [email] ok');
    expect(redactText('/feedback/v1.abc.def')).toBe('/feedback/[redacted]');
    expect(redactText('/feedback/v1.abc.def/undo')).toBe('/feedback/[redacted]/undo');
  });

  it('finds percent-encoded addresses in query strings, even beside a malformed escape', () => {
    expect(redactText('/admin/digests/preview?subscriber=ann%40example.org')).not.toContain('example.org');
    expect(redactText('/admin/subscribers?q=ann%2Bnews%40example.org&page=2')).not.toContain('ann');
    expect(redactText('/admin/subscribers?q=ann%40example.org&x=%E0%A4%A')).not.toContain('ann');
  });

  it('keeps the route and the other parameters of a request URL whose query holds an address', () => {
    expect(redactUrl('/api/admin/subscribers?q=ann%40example.org&page=2')).toBe('/api/admin/subscribers?q=[email]&page=2');
    expect(redactUrl('/admin/digests/preview?subscriber=ann%2Bnews%40example.org')).toBe('/admin/digests/preview?subscriber=[email]');
    expect(redactUrl('/admin/subscribers?q=ann%40example.org&x=%E0%A4%A')).toBe('/admin/subscribers?q=[email]&x=%E0%A4%A');
    expect(redactUrl('/admin/subscribers/ann@example.org/unsubscribe')).toBe('/admin/subscribers/[email]/unsubscribe');
    expect(redactUrl('/preferences/v1.abc.def/erase?ann%40example.org')).toBe('/preferences/[redacted]/erase?[email]');
  });

  it('logs a request line without the feedback token or the address in its query', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', name: 'test', destination });
    logger.info({ req: { method: 'GET', url: '/feedback/v1.live.token/undo' } }, 'request');
    logger.info({ req: { method: 'GET', url: '/admin/subscribers?q=ann%40example.org' } }, 'request');
    const text = lines.join('');
    expect(text).not.toContain('v1.live.token');
    expect(text).not.toMatch(/ann(%40|@)example\.org/);
    expect(text).toContain('"url":"/admin/subscribers?q=[email]"');
  });
});
