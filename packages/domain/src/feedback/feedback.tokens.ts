import { createToken, tokenExpiry, verifyToken, type TTokenCheck } from '../subscriptions/subscriptions.tokens.ts';

/** +1 is "more like this", -1 "less like this". */
export type TRating = 1 | -1;

export type TFeedbackLinks = { moreUrl: string; lessUrl: string };

export type TFeedbackCheck =
  | { isValid: true; subscriberId: string; paperId: number; runId: string | null; rating: TRating }
  | Exclude<TTokenCheck, { isValid: true }>;

// A preview digest or a test may have no run; the nil uuid stands for "none" inside the token.
const NO_RUN = '00000000-0000-0000-0000-000000000000';

function aboutBytes({ paperId, runId }: { paperId: number; runId: string | null }): Buffer {
  const bytes = Buffer.alloc(24);
  bytes.writeBigUInt64BE(BigInt(paperId), 0);
  Buffer.from((runId ?? NO_RUN).replaceAll('-', ''), 'hex').copy(bytes, 8);
  return bytes;
}

function fromAboutBytes(bytes: Buffer): { paperId: number; runId: string | null } {
  const hex = bytes.subarray(8, 24).toString('hex');
  const runId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { paperId: Number(bytes.readBigUInt64BE(0)), runId: runId === NO_RUN ? null : runId };
}

/**
 * The two links under each paper of a digest. Each is signed for one subscriber, one paper,
 * one run and one direction, so it can rate nothing else; they live as long as preferences links.
 */
export function feedbackLinks({
  publicUrl,
  secretKey,
  subscriberId,
  paperId,
  runId,
  ttlDays,
  now = new Date(),
}: {
  publicUrl: string;
  secretKey: string;
  subscriberId: string;
  paperId: number;
  runId: string | null;
  ttlDays: number;
  now?: Date;
}): TFeedbackLinks {
  const about = aboutBytes({ paperId, runId });
  const expiresAt = tokenExpiry({ now, days: ttlDays });
  const more = createToken({ secretKey, subscriberId, purpose: 'feedback_up', expiresAt, about });
  const less = createToken({ secretKey, subscriberId, purpose: 'feedback_down', expiresAt, about });
  return { moreUrl: `${publicUrl}/feedback/${more}`, lessUrl: `${publicUrl}/feedback/${less}` };
}

/** Either direction is accepted; any other purpose (preferences, unsubscribe, confirm) is refused. */
export function verifyFeedbackToken({ secretKey, token, now = new Date() }: { secretKey: string; token: string; now?: Date }): TFeedbackCheck {
  const up = verifyToken({ secretKey, token, purpose: 'feedback_up', now });
  const isDown = !up.isValid && up.reason === 'wrong_purpose';
  const check = isDown ? verifyToken({ secretKey, token, purpose: 'feedback_down', now }) : up;
  if (!check.isValid) return check;
  if (!check.about) return { isValid: false, reason: 'malformed' };
  return { isValid: true, subscriberId: check.subscriberId, ...fromAboutBytes(check.about), rating: isDown ? -1 : 1 };
}
