import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Links in mail carry opaque tokens: version, purpose, subscriber uuid and expiry, signed with
 * an HMAC of SECRET_KEY. Nothing is stored per token, so a token cannot be revoked one by one;
 * what it may do is re-checked against the subscriber's row when it is used.
 *
 * Layout (22 bytes, then base64url): version (1) | purpose (1) | uuid (16) | expiry, unix seconds (4)
 * followed by "." and the first 16 bytes of HMAC-SHA256 over those bytes (128 bits is the usual
 * truncation and keeps links short).
 */
export type TTokenPurpose = 'confirm' | 'preferences' | 'unsubscribe' | 'feedback_up' | 'feedback_down';

const VERSION = 1;
const PURPOSE_CODES: Record<TTokenPurpose, number> = { confirm: 1, preferences: 2, unsubscribe: 3, feedback_up: 4, feedback_down: 5 };
// Feedback links are also bound to what they rate: these bytes (paper id, run uuid) follow the
// expiry and are signed with the rest, so a link cannot be turned to another paper.
const ABOUT_BYTES: Partial<Record<TTokenPurpose, number>> = { feedback_up: 24, feedback_down: 24 };
const PAYLOAD_BYTES = 22;
const MAC_BYTES = 16;
const DAY_MS = 24 * 3_600 * 1_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type TTokenCheck =
  | { isValid: true; subscriberId: string; expiresAt: Date; about?: Buffer }
  | { isValid: false; reason: 'malformed' | 'forged' | 'wrong_purpose' | 'expired' };

// A key of its own for tokens, so a token MAC can never equal an email hash made with the same secret.
// A process signs with one secret, and a digest signs dozens of links: the derived key is kept
// for the last secret seen instead of costing a second HMAC per token.
let derived: { secretKey: string; key: Buffer } | undefined;
function tokenKey(secretKey: string): Buffer {
  if (derived?.secretKey !== secretKey) derived = { secretKey, key: createHmac('sha256', secretKey).update('paperboy/link-tokens/v1').digest() };
  return derived.key;
}

function sign(secretKey: string, payload: Buffer): Buffer {
  return createHmac('sha256', tokenKey(secretKey)).update(payload).digest().subarray(0, MAC_BYTES);
}

export function createToken({
  secretKey,
  subscriberId,
  purpose,
  expiresAt,
  about = Buffer.alloc(0),
}: {
  secretKey: string;
  subscriberId: string;
  purpose: TTokenPurpose;
  expiresAt: Date;
  about?: Buffer;
}): string {
  if (!UUID.test(subscriberId)) throw new Error('subscriberId must be a lowercase uuid');
  if (about.length !== (ABOUT_BYTES[purpose] ?? 0)) throw new Error(`a ${purpose} token is bound to ${ABOUT_BYTES[purpose] ?? 0} bytes`);
  const payload = Buffer.alloc(PAYLOAD_BYTES + about.length);
  payload.writeUInt8(VERSION, 0);
  payload.writeUInt8(PURPOSE_CODES[purpose], 1);
  Buffer.from(subscriberId.replaceAll('-', ''), 'hex').copy(payload, 2);
  payload.writeUInt32BE(Math.floor(expiresAt.getTime() / 1_000), 18);
  about.copy(payload, PAYLOAD_BYTES);
  return `${payload.toString('base64url')}.${sign(secretKey, payload).toString('base64url')}`;
}

/** Checks the signature first (in constant time), then purpose and expiry; says why a token is refused. */
export function verifyToken({
  secretKey,
  token,
  purpose,
  now = new Date(),
}: {
  secretKey: string;
  token: string;
  purpose: TTokenPurpose;
  now?: Date;
}): TTokenCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[\w-]+$/.test(parts[0]!) || !/^[\w-]+$/.test(parts[1]!)) return { isValid: false, reason: 'malformed' };
  const payload = Buffer.from(parts[0]!, 'base64url');
  const mac = Buffer.from(parts[1]!, 'base64url');
  if (payload.length < PAYLOAD_BYTES || mac.length !== MAC_BYTES) return { isValid: false, reason: 'malformed' };
  if (!timingSafeEqual(mac, sign(secretKey, payload))) return { isValid: false, reason: 'forged' };
  if (payload.readUInt8(0) !== VERSION) return { isValid: false, reason: 'malformed' };
  if (payload.readUInt8(1) !== PURPOSE_CODES[purpose]) return { isValid: false, reason: 'wrong_purpose' };
  if (payload.length !== PAYLOAD_BYTES + (ABOUT_BYTES[purpose] ?? 0)) return { isValid: false, reason: 'malformed' };
  const expiresAt = new Date(payload.readUInt32BE(18) * 1_000);
  if (expiresAt.getTime() <= now.getTime()) return { isValid: false, reason: 'expired' };
  const hex = payload.subarray(2, 18).toString('hex');
  const subscriberId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return payload.length > PAYLOAD_BYTES ? { isValid: true, subscriberId, expiresAt, about: payload.subarray(PAYLOAD_BYTES) } : { isValid: true, subscriberId, expiresAt };
}

export function tokenExpiry({ now = new Date(), days }: { now?: Date; days: number }): Date {
  return new Date(now.getTime() + days * DAY_MS);
}

export type TTokenTtlDays = { confirm: number; preferences: number; unsubscribe: number };

/** The links every message to a subscriber carries; the digest code builds its footer with this too. */
export function subscriberLinks({
  publicUrl,
  secretKey,
  subscriberId,
  tokenTtlDays,
  now = new Date(),
}: {
  publicUrl: string;
  secretKey: string;
  subscriberId: string;
  tokenTtlDays: Pick<TTokenTtlDays, 'preferences' | 'unsubscribe'>;
  now?: Date;
}): { preferencesUrl: string; unsubscribeUrl: string } {
  const preferences = createToken({ secretKey, subscriberId, purpose: 'preferences', expiresAt: tokenExpiry({ now, days: tokenTtlDays.preferences }) });
  const unsubscribe = createToken({ secretKey, subscriberId, purpose: 'unsubscribe', expiresAt: tokenExpiry({ now, days: tokenTtlDays.unsubscribe }) });
  return { preferencesUrl: `${publicUrl}/preferences/${preferences}`, unsubscribeUrl: `${publicUrl}/unsubscribe/${unsubscribe}` };
}

export function confirmUrl({
  publicUrl,
  secretKey,
  subscriberId,
  ttlDays,
  now = new Date(),
}: {
  publicUrl: string;
  secretKey: string;
  subscriberId: string;
  ttlDays: number;
  now?: Date;
}): string {
  return `${publicUrl}/confirm/${createToken({ secretKey, subscriberId, purpose: 'confirm', expiresAt: tokenExpiry({ now, days: ttlDays }) })}`;
}
