import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createRequestIdGenerator } from './security.request-id.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Only the two fields the generator reads: a request from `peer` carrying `header`.
const requestFrom = (peer: string, header?: string) =>
  ({ headers: header === undefined ? {} : { 'x-request-id': header }, socket: { remoteAddress: peer } }) as unknown as IncomingMessage;

describe('the request id', () => {
  it('is generated, whatever X-Request-Id says, while no proxy is trusted', () => {
    const generate = createRequestIdGenerator(false);
    expect(generate(requestFrom('127.0.0.1', 'chosen-by-client'))).toMatch(UUID);
    expect(generate(requestFrom('127.0.0.1'))).toMatch(UUID);
  });

  it('is taken from a trusted proxy, in a short plain form only', () => {
    const generate = createRequestIdGenerator(['10.0.0.0/8', '127.0.0.1']);
    expect(generate(requestFrom('10.1.2.3', 'edge-4f1a.9'))).toBe('edge-4f1a.9');
    expect(generate(requestFrom('::ffff:127.0.0.1', 'edge-4f1a.9'))).toBe('edge-4f1a.9');
    expect(generate(requestFrom('192.0.2.7', 'edge-4f1a.9'))).toMatch(UUID);
    expect(generate(requestFrom('10.1.2.3', 'ann@example.org'))).toMatch(UUID);
    expect(generate(requestFrom('10.1.2.3', 'line\nbreak'))).toMatch(UUID);
    expect(generate(requestFrom('10.1.2.3', 'x'.repeat(65)))).toMatch(UUID);
  });

  it('trusts whoever connects when TRUST_PROXY is a hop count', () => {
    expect(createRequestIdGenerator(1)(requestFrom('192.0.2.7', 'edge-1'))).toBe('edge-1');
  });
});
