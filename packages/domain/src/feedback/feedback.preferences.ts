import type { TDatabase, TDb } from '@paperboy/db';
import { changeWithPreferencesToken } from '../subscriptions/preferences.usecases.ts';
import type { TRequestOrigin } from '../subscriptions/subscriptions.usecases.ts';
import { recordFeedbackConsent } from './feedback.consent.ts';
import { createFeedbackRepository, type TLikedPaper, type TRatedPaper } from './feedback.repository.ts';

/** Hands arXiv ids to the worker to look up; the domain does not know BullMQ. */
export type TEnqueueLikedPaperFetch = (arxivIds: string[]) => Promise<void>;

export type TFeedbackChoices = { ratings: TRatedPaper[]; likedPapers: TLikedPaper[] };

/** The preference center's "Papers you rated" and "Papers you liked". */
export async function getFeedbackChoices({ db, subscriberId }: { db: TDb; subscriberId: string }): Promise<TFeedbackChoices> {
  const repository = createFeedbackRepository({ db });
  const [ratings, likedPapers] = await Promise.all([repository.listRatings({ subscriberId }), repository.listLikedPapers({ subscriberId })]);
  return { ratings, likedPapers };
}

/** "Remove" beside a rated paper in the preference center. */
export async function removeRatingWithPreferences({
  db,
  secretKey,
  token,
  paperId,
  origin = {},
  now = new Date(),
}: {
  db: TDatabase;
  secretKey: string;
  token: string;
  paperId: number;
  origin?: TRequestOrigin;
  now?: Date;
}): Promise<{ isRemoved: boolean }> {
  return changeWithPreferencesToken({
    db,
    secretKey,
    token,
    now,
    change: async ({ subscriber, tx }) => {
      const subscriberId = subscriber.id;
      const { isRemoved } = await createFeedbackRepository({ db: tx }).removeRating({ subscriberId, paperId });
      if (isRemoved) {
        await recordFeedbackConsent({ db: tx, subscriberId, details: { action: 'undone' }, origin, now });
      }
      return { isRemoved };
    },
  });
}

/**
 * Sets the papers a reader liked (the whole list, at most five). Those already stored count at
 * once; the others are handed to the worker after the commit. When that hand-off fails they stay
 * recorded and the next ingest that brings them links them.
 */
export async function setLikedPapers({
  db,
  secretKey,
  token,
  arxivIds,
  enqueueFetch,
  origin = {},
  now = new Date(),
}: {
  db: TDatabase;
  secretKey: string;
  token: string;
  arxivIds: string[];
  enqueueFetch: TEnqueueLikedPaperFetch;
  origin?: TRequestOrigin;
  now?: Date;
}): Promise<{ unresolved: string[] }> {
  const { unresolved } = await changeWithPreferencesToken({
    db,
    secretKey,
    token,
    now,
    change: async ({ subscriber, tx }) => {
      const subscriberId = subscriber.id;
      const result = await createFeedbackRepository({ db: tx }).replaceLikedPapers({ subscriberId, arxivIds, now });
      await recordFeedbackConsent({ db: tx, subscriberId, details: { action: 'liked_papers', count: arxivIds.length }, origin, now });
      return result;
    },
  });
  if (unresolved.length > 0) await enqueueFetch(unresolved);
  return { unresolved };
}
