import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * VERP: each digest leaves with its own Return-Path, `bounces+<delivery>.<mac>@<BOUNCE_DOMAIN>`,
 * so a bounce report names the delivery it is about even when it quotes nothing of the original
 * message. The delivery id and the MAC are lowercase hex, not base64: mail systems may fold the
 * case of a local part, and the address must survive that. The MAC (HMAC-SHA256 with
 * SECRET_KEY, 64 bits) keeps anyone from forging reports about deliveries they did not receive.
 */
const PREFIX = 'bounces';
const MAC_HEX_LENGTH = 16;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const VERP = new RegExp(`^${PREFIX}\\+([0-9a-f]{32})\\.([0-9a-f]{${MAC_HEX_LENGTH}})@([a-z0-9.-]+)$`);

function mac(secretKey: string, deliveryHex: string): string {
  return createHmac('sha256', secretKey).update(`verp:${deliveryHex}`).digest('hex').slice(0, MAC_HEX_LENGTH);
}

/** The envelope sender (Return-Path) for one delivery. */
export function verpAddress({ deliveryId, secretKey, bounceDomain }: { deliveryId: string; secretKey: string; bounceDomain: string }): string {
  const id = deliveryId.toLowerCase();
  if (!UUID.test(id)) throw new Error('a VERP address needs a delivery id (uuid)');
  const hex = id.replaceAll('-', '');
  return `${PREFIX}+${hex}.${mac(secretKey, hex)}@${bounceDomain.toLowerCase()}`;
}

/**
 * The delivery a VERP address names, or undefined for anything else: another address, another
 * domain, or a MAC that does not match.
 */
export function parseVerpAddress({ address, secretKey, bounceDomain }: { address: string; secretKey: string; bounceDomain: string }): string | undefined {
  const match = VERP.exec(address.trim().replace(/^<|>$/g, '').toLowerCase());
  if (!match || match[3] !== bounceDomain.toLowerCase()) return undefined;
  const [, hex = '', given = ''] = match;
  const expected = mac(secretKey, hex);
  if (!timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
