import { describe, expect, it } from 'vitest';
import { parseVerpAddress, verpAddress } from './deliverability.verp.ts';

const secretKey = 'verp-test-secret-0123456789abcdef0123';
const bounceDomain = 'bounces.paperboy.test';
const deliveryId = '3f2b8c1e-5d4a-4e6f-9a7b-0c1d2e3f4a5b';

describe('VERP addresses', () => {
  it('name their delivery and read back to it, whatever the case the address came back in', () => {
    const address = verpAddress({ deliveryId, secretKey, bounceDomain });
    expect(address).toMatch(/^bounces\+[0-9a-f]{32}\.[0-9a-f]{16}@bounces\.paperboy\.test$/);
    expect(address.split('@')[0]!.length).toBeLessThanOrEqual(64);
    expect(parseVerpAddress({ address, secretKey, bounceDomain })).toBe(deliveryId);
    expect(parseVerpAddress({ address: `<${address.toUpperCase()}>`, secretKey, bounceDomain })).toBe(deliveryId);
  });

  it('refuse a bad MAC, another key, another domain and other addresses', () => {
    const address = verpAddress({ deliveryId, secretKey, bounceDomain });
    const tampered = address.replace(/\.([0-9a-f])/, (_all, digit: string) => `.${digit === '0' ? '1' : '0'}`);
    expect(parseVerpAddress({ address: tampered, secretKey, bounceDomain })).toBeUndefined();
    const otherDelivery = address.replace(/\+([0-9a-f])/, (_all, digit: string) => `+${digit === '0' ? '1' : '0'}`);
    expect(parseVerpAddress({ address: otherDelivery, secretKey, bounceDomain })).toBeUndefined();
    expect(parseVerpAddress({ address, secretKey: `${secretKey}x`, bounceDomain })).toBeUndefined();
    expect(parseVerpAddress({ address, secretKey, bounceDomain: 'elsewhere.test' })).toBeUndefined();
    expect(parseVerpAddress({ address: 'digest@paperboy.test', secretKey, bounceDomain })).toBeUndefined();
  });
});
