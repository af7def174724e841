import { describe, expect, it } from 'vitest';
import { createToken, subscriberLinks, verifyToken } from './subscriptions.tokens.ts';

const secretKey = 'a-secret-key-that-is-at-least-32-characters';
const subscriberId = '3f1c2a9e-6b7d-4e8f-9a0b-1c2d3e4f5a6b';
const otherId = '00000000-0000-4000-8000-000000000001';
const inAWeek = new Date(Date.now() + 7 * 86_400_000);

describe('link tokens', () => {
  it('a token verifies for the purpose and subscriber it was made for', () => {
    const token = createToken({ secretKey, subscriberId, purpose: 'confirm', expiresAt: inAWeek });
    expect(verifyToken({ secretKey, token, purpose: 'confirm' })).toEqual({ isValid: true, subscriberId, expiresAt: new Date(Math.floor(inAWeek.getTime() / 1000) * 1000) });
  });

  it('a token made for one purpose is refused for every other', () => {
    const token = createToken({ secretKey, subscriberId, purpose: 'unsubscribe', expiresAt: inAWeek });
    expect(verifyToken({ secretKey, token, purpose: 'confirm' })).toEqual({ isValid: false, reason: 'wrong_purpose' });
    expect(verifyToken({ secretKey, token, purpose: 'preferences' })).toEqual({ isValid: false, reason: 'wrong_purpose' });
  });

  it('changing the subscriber inside a token breaks its signature', () => {
    const [payload, mac] = createToken({ secretKey, subscriberId, purpose: 'preferences', expiresAt: inAWeek }).split('.') as [string, string];
    const bytes = Buffer.from(payload, 'base64url');
    Buffer.from(otherId.replaceAll('-', ''), 'hex').copy(bytes, 2);
    expect(verifyToken({ secretKey, token: `${bytes.toString('base64url')}.${mac}`, purpose: 'preferences' })).toEqual({ isValid: false, reason: 'forged' });
  });

  it('a token signed with another key, or with its expiry pushed back, is refused as forged', () => {
    const foreign = createToken({ secretKey: 'another-secret-key-of-at-least-32-characters', subscriberId, purpose: 'confirm', expiresAt: inAWeek });
    expect(verifyToken({ secretKey, token: foreign, purpose: 'confirm' })).toEqual({ isValid: false, reason: 'forged' });
    const [payload, mac] = createToken({ secretKey, subscriberId, purpose: 'confirm', expiresAt: new Date(Date.now() - 1000) }).split('.') as [string, string];
    const bytes = Buffer.from(payload, 'base64url');
    bytes.writeUInt32BE(0xffffffff, 18);
    expect(verifyToken({ secretKey, token: `${bytes.toString('base64url')}.${mac}`, purpose: 'confirm' })).toEqual({ isValid: false, reason: 'forged' });
  });

  it('tokens made in turn under two keys each verify under their own key only', () => {
    const otherKey = 'another-secret-key-of-at-least-32-characters';
    const tokens = [secretKey, otherKey, secretKey].map((key) => ({ key, token: createToken({ secretKey: key, subscriberId, purpose: 'confirm', expiresAt: inAWeek }) }));
    expect(tokens[0]!.token).toBe(tokens[2]!.token);
    for (const { key, token } of tokens) {
      expect(verifyToken({ secretKey: key, token, purpose: 'confirm' }).isValid).toBe(true);
      expect(verifyToken({ secretKey: key === secretKey ? otherKey : secretKey, token, purpose: 'confirm' })).toEqual({ isValid: false, reason: 'forged' });
    }
  });

  it('an expired token is refused as expired', () => {
    const token = createToken({ secretKey, subscriberId, purpose: 'confirm', expiresAt: new Date(Date.now() - 1000) });
    expect(verifyToken({ secretKey, token, purpose: 'confirm' })).toEqual({ isValid: false, reason: 'expired' });
  });

  it('malformed input is refused without throwing', () => {
    for (const token of ['', 'abc', 'a.b.c', '!!!.???', `${'A'.repeat(30)}.${'B'.repeat(22)}x`]) {
      expect(verifyToken({ secretKey, token, purpose: 'confirm' }).isValid).toBe(false);
    }
  });

  it('links carry neither the address nor the raw subscriber id', () => {
    const links = subscriberLinks({ publicUrl: 'https://paperboy.test', secretKey, subscriberId, tokenTtlDays: { preferences: 180, unsubscribe: 730 } });
    expect(links.preferencesUrl).toMatch(/^https:\/\/paperboy\.test\/preferences\/[\w-]+\.[\w-]+$/);
    expect(links.unsubscribeUrl).toMatch(/^https:\/\/paperboy\.test\/unsubscribe\/[\w-]+\.[\w-]+$/);
    expect(`${links.preferencesUrl}${links.unsubscribeUrl}`).not.toContain(subscriberId);
    const token = links.unsubscribeUrl.split('/').pop()!;
    const check = verifyToken({ secretKey, token, purpose: 'unsubscribe', now: new Date(Date.now() + 365 * 86_400_000) });
    expect(check.isValid).toBe(true);
  });
});
