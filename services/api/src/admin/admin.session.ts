import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Signer } from '@fastify/cookie';
import { z } from 'zod';

export const ADMIN_SESSION_COOKIE = 'paperboy_admin';
/** A signed-in console lasts a working day; after that the token is asked for again. */
export const ADMIN_SESSION_TTL_MS = 12 * 3_600_000;

const ZSessionPayload = z.object({ v: z.literal(1), sid: z.string().min(16).max(64), exp: z.number().int() }).strict();
type TAdminSession = { sid: string; expiresAt: Date };

export type TAdminSessions = {
  /** A cookie value for a fresh session: `base64url(payload).signature`. */
  issue: (now?: Date) => { value: string; session: TAdminSession };
  /** The session in a cookie value, or undefined when it is missing, forged, malformed or expired. */
  read: (value: string | undefined, now?: Date) => TAdminSession | undefined;
};

/**
 * Sessions are stateless: the cookie carries its own expiry, signed with HMAC-SHA256 by
 * @fastify/cookie's Signer (checked in constant time). The key is derived from SECRET_KEY and
 * a hash of ADMIN_TOKEN, so rotating either signs every console out.
 */
export function createAdminSessions({ secretKey, adminToken }: { secretKey: string; adminToken: string }): TAdminSessions {
  const tokenFingerprint = createHash('sha256').update(adminToken).digest('hex');
  const key = createHmac('sha256', secretKey).update(`paperboy/admin-session/v1/${tokenFingerprint}`).digest();
  const signer = new Signer(key, 'sha256');

  return {
    issue: (now = new Date()) => {
      const session = { sid: randomBytes(18).toString('base64url'), expiresAt: new Date(now.getTime() + ADMIN_SESSION_TTL_MS) };
      const payload = Buffer.from(JSON.stringify({ v: 1, sid: session.sid, exp: session.expiresAt.getTime() })).toString('base64url');
      return { value: signer.sign(payload), session };
    },
    read: (value, now = new Date()) => {
      if (!value || value.length > 512) return undefined;
      const { valid, value: payload } = signer.unsign(value);
      if (!valid || !payload) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return undefined;
      }
      const result = ZSessionPayload.safeParse(parsed);
      if (!result.success || result.data.exp <= now.getTime()) return undefined;
      return { sid: result.data.sid, expiresAt: new Date(result.data.exp) };
    },
  };
}
