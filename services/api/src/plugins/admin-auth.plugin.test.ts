import { describe, expect, it } from 'vitest';
import { isAdminToken } from './admin-auth.plugin.ts';

describe('isAdminToken', () => {
  const token = 'a-very-secret-admin-token';
  it('accepts the configured token', () => expect(isAdminToken(token, token)).toBe(true));
  it('refuses a missing token', () => expect(isAdminToken(undefined, token)).toBe(false));
  it('refuses a prefix of the token', () => expect(isAdminToken(token.slice(0, -1), token)).toBe(false));
  it('refuses an empty token even when the configured one could be matched by length', () =>
    expect(isAdminToken('', token)).toBe(false));
});
