import { createHmac } from 'node:crypto';

/**
 * HMAC-SHA256 of the normalized address, hex. It is the unique key of a subscriber and the one
 * thing kept after erasure, so an erased address is recognised without being stored. Rotating
 * SECRET_KEY changes every hash: erased addresses would then no longer be recognised.
 */
export function hashEmail({ secretKey, email }: { secretKey: string; email: string }): string {
  return createHmac('sha256', secretKey).update(email).digest('hex');
}
