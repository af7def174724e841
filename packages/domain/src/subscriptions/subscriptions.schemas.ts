import { z } from 'zod';
import { ZLikedPapers } from '../feedback/feedback.schemas.ts';
import { singleLine } from '../shared/schemas.ts';
import { ZTopicSlug } from '../topics/topics.schemas.ts';

export const MAX_KEYWORDS = 20;
export const MAX_KEYWORD_LENGTH = 60;
export const DIGEST_SIZES = [5, 10, 20] as const;
export const PAUSE_WEEKS = [1, 2, 4, 8, 12] as const;

/**
 * The whole address is lowercased, not only the domain: local parts are case-sensitive on paper
 * but no mailbox provider treats them so, and "Ada@" and "ada@" must be one subscriber.
 */
export const ZEmail = singleLine(254)
  .transform((value) => value.toLowerCase())
  .pipe(z.email({ message: 'must be an email address' }));

/** Keywords are stored once per phrase: trimmed, lowercased, inner whitespace collapsed. */
export function normalizeKeyword(value: string): string {
  return value.trim().toLowerCase().replace(/\s+/g, ' ');
}

export const ZKeyword = singleLine(MAX_KEYWORD_LENGTH).transform(normalizeKeyword);

export const ZKeywords = z
  .array(ZKeyword)
  .max(MAX_KEYWORDS, `at most ${MAX_KEYWORDS} keywords`)
  .transform((values) => [...new Set(values)]);

export const ZTopicSlugs = z
  .array(ZTopicSlug)
  .min(1, 'choose at least one topic')
  .max(100)
  .transform((values) => [...new Set(values)]);

export const ZFrequency = z.enum(['weekly', 'daily']);
export const ZDigestSize = z.literal(DIGEST_SIZES, { error: 'must be 5, 10 or 20' });
export const ZSubscriberStatus = z.enum(['pending', 'confirmed', 'unsubscribed', 'erased']);

export const ZSignupInput = z.object({
  email: ZEmail,
  topics: ZTopicSlugs,
  keywords: ZKeywords.default([]),
  frequency: ZFrequency.default('weekly'),
  digestSize: ZDigestSize.default(10),
  /** Papers the reader liked (arXiv ids or links), to start their profile before any rating. */
  likedPapers: ZLikedPapers.optional(),
});
export type TSignupInput = z.output<typeof ZSignupInput>;

export const ZPreferencesInput = z.object({
  topics: ZTopicSlugs,
  keywords: ZKeywords,
  frequency: ZFrequency,
  digestSize: ZDigestSize,
});
export type TPreferencesInput = z.output<typeof ZPreferencesInput>;

export const ZPauseWeeks = z.coerce
  .number()
  .int()
  .refine((weeks) => (PAUSE_WEEKS as readonly number[]).includes(weeks), `must be one of ${PAUSE_WEEKS.join(', ')}`);

/** Answer to every signup, whatever the address's state, so it cannot be used to learn who subscribes. */
export const SIGNUP_ACCEPTED = {
  status: 'accepted',
  message: 'If this address can receive mail, a message is on its way. Follow the link in it to finish.',
} as const;
export const ZSignupAccepted = z.object({ status: z.literal('accepted'), message: z.string() });
