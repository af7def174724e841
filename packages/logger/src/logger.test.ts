import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactText } from './index.ts';

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
  });
});
