import { describe, expect, it } from 'vitest';
import { createToken, verifyToken } from '../subscriptions/subscriptions.tokens.ts';
import { feedbackLinks, verifyFeedbackToken } from './feedback.tokens.ts';

const secretKey = 'a-secret-key-that-is-at-least-32-characters';
const subscriberId = '3f1c2a9e-6b7d-4e8f-9a0b-1c2d3e4f5a6b';
const otherId = '00000000-0000-4000-8000-000000000001';
const runId = '7d2f4c1a-0b3e-4f5a-8c6d-9e0f1a2b3c4d';
const publicUrl = 'https://paperboy.test';

const tokenOf = (url: string) => url.split('/').pop()!;
const links = (overrides: Partial<Parameters<typeof feedbackLinks>[0]> = {}) =>
  feedbackLinks({ publicUrl, secretKey, subscriberId, paperId: 4_321, runId, ttlDays: 180, ...overrides });

/** Rewrites bytes of a token's payload and keeps its old signature. */
function tamper(token: string, edit: (bytes: Buffer) => void): string {
  const [payload, mac] = token.split('.') as [string, string];
  const bytes = Buffer.from(payload, 'base64url');
  edit(bytes);
  return `${bytes.toString('base64url')}.${mac}`;
}

describe('feedback link tokens', () => {
  it('each link names its subscriber, paper, run and direction, and nothing else', () => {
    const { moreUrl, lessUrl } = links();
    expect(moreUrl).toMatch(/^https:\/\/paperboy\.test\/feedback\/[\w-]+\.[\w-]+$/);
    expect(verifyFeedbackToken({ secretKey, token: tokenOf(moreUrl) })).toEqual({ isValid: true, subscriberId, paperId: 4_321, runId, rating: 1 });
    expect(verifyFeedbackToken({ secretKey, token: tokenOf(lessUrl) })).toEqual({ isValid: true, subscriberId, paperId: 4_321, runId, rating: -1 });
    expect(`${moreUrl}${lessUrl}`).not.toContain(subscriberId);
  });

  it('a link made without a run verifies with no run', () => {
    expect(verifyFeedbackToken({ secretKey, token: tokenOf(links({ runId: null }).lessUrl) })).toMatchObject({ isValid: true, runId: null, rating: -1 });
  });

  it('pointing a link at another paper, another subscriber or the other direction breaks its signature', () => {
    const token = tokenOf(links().moreUrl);
    const otherPaper = tamper(token, (bytes) => bytes.writeBigUInt64BE(1n, 22));
    const otherSubscriber = tamper(token, (bytes) => Buffer.from(otherId.replaceAll('-', ''), 'hex').copy(bytes, 2));
    const otherDirection = tamper(token, (bytes) => bytes.writeUInt8(5, 1));
    for (const forged of [otherPaper, otherSubscriber, otherDirection]) {
      expect(verifyFeedbackToken({ secretKey, token: forged })).toEqual({ isValid: false, reason: 'forged' });
    }
    expect(verifyFeedbackToken({ secretKey: 'another-secret-key-of-at-least-32-characters', token })).toEqual({ isValid: false, reason: 'forged' });
  });

  it('a preferences, unsubscribe or confirm token is refused as a feedback token, and a feedback token everywhere else', () => {
    const expiresAt = new Date(Date.now() + 86_400_000);
    for (const purpose of ['preferences', 'unsubscribe', 'confirm'] as const) {
      const token = createToken({ secretKey, subscriberId, purpose, expiresAt });
      expect(verifyFeedbackToken({ secretKey, token })).toEqual({ isValid: false, reason: 'wrong_purpose' });
      expect(verifyToken({ secretKey, token: tokenOf(links().moreUrl), purpose })).toEqual({ isValid: false, reason: 'wrong_purpose' });
    }
  });

  it('an expired link is refused as expired', () => {
    const old = links({ now: new Date(Date.now() - 200 * 86_400_000) });
    expect(verifyFeedbackToken({ secretKey, token: tokenOf(old.lessUrl) })).toEqual({ isValid: false, reason: 'expired' });
  });

  it('a feedback token cut down to the plain layout is refused without throwing', () => {
    const [payload] = tokenOf(links().moreUrl).split('.') as [string];
    const bytes = Buffer.from(payload, 'base64url').subarray(0, 22);
    expect(verifyFeedbackToken({ secretKey, token: `${bytes.toString('base64url')}.${'A'.repeat(22)}` }).isValid).toBe(false);
    expect(() => createToken({ secretKey, subscriberId, purpose: 'feedback_up', expiresAt: new Date() })).toThrow(/bound to 24 bytes/);
  });
});
