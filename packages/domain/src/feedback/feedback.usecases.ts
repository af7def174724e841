import { papers, type TDatabase, type TDb } from '@paperboy/db';
import { eq } from 'drizzle-orm';
import { subscriberGoneError, tokenError, tokenInvalidError } from '../subscriptions/subscriptions.errors.ts';
import { createSubscribersRepository } from '../subscriptions/subscriptions.repository.ts';
import type { TRequestOrigin } from '../subscriptions/subscriptions.usecases.ts';
import { paperGoneError } from './feedback.errors.ts';
import { recordFeedbackConsent } from './feedback.consent.ts';
import { createFeedbackRepository } from './feedback.repository.ts';
import { verifyFeedbackToken, type TRating } from './feedback.tokens.ts';

export type TFeedbackPaper = { id: number; arxivId: string; title: string; url: string };
export type TFeedbackTarget = { subscriberId: string; paper: TFeedbackPaper; rating: TRating; runId: string | null };

/** What a feedback link points at: a live subscriber and a stored paper, or the error page it deserves. */
async function targetOf({
  db,
  secretKey,
  token,
  now,
  isForUpdate = false,
}: {
  db: TDb;
  secretKey: string;
  token: string;
  now: Date;
  isForUpdate?: boolean;
}): Promise<TFeedbackTarget> {
  const check = verifyFeedbackToken({ secretKey, token, now });
  if (!check.isValid) throw tokenError(check);
  // Writers lock the subscriber, so a rating cannot slip in beside an erasure running at the same time.
  const { subscriber } = await createSubscribersRepository({ db }).findById({ id: check.subscriberId, isForUpdate });
  if (!subscriber) throw tokenInvalidError();
  if (subscriber.status === 'erased') throw subscriberGoneError();
  const [paper] = await db.select({ id: papers.id, arxivId: papers.arxivId, title: papers.title }).from(papers).where(eq(papers.id, check.paperId));
  if (!paper) throw paperGoneError();
  return {
    subscriberId: subscriber.id,
    paper: { ...paper, url: `https://arxiv.org/abs/${paper.arxivId}` },
    rating: check.rating,
    runId: check.runId,
  };
}

/** For the page a GET shows: reads only, since mail scanners follow every link in a message. */
export async function viewFeedback({ db, secretKey, token, now = new Date() }: { db: TDb; secretKey: string; token: string; now?: Date }) {
  const target = await targetOf({ db, secretKey, token, now });
  const { rating: current } = await createFeedbackRepository({ db }).findRating({ subscriberId: target.subscriberId, paperId: target.paper.id });
  return { paper: target.paper, rating: target.rating, isAlreadyRated: current === target.rating };
}

/**
 * Records the click (the latest one stands) and notes in the consent log that feedback was given,
 * without which paper or which way: the log outlives erasure and must not profile anyone.
 */
export async function recordFeedback({
  db,
  secretKey,
  token,
  origin = {},
  now = new Date(),
}: {
  db: TDatabase;
  secretKey: string;
  token: string;
  origin?: TRequestOrigin;
  now?: Date;
}): Promise<{ paper: TFeedbackPaper; rating: TRating }> {
  return db.transaction(async (tx) => {
    const target = await targetOf({ db: tx, secretKey, token, now, isForUpdate: true });
    const { isRecorded } = await createFeedbackRepository({ db: tx }).upsertRating({ ...target, paperId: target.paper.id, now });
    if (!isRecorded) throw paperGoneError();
    await recordFeedbackConsent({ db: tx, subscriberId: target.subscriberId, details: { action: 'rated' }, origin, now });
    return { paper: target.paper, rating: target.rating };
  });
}

/** Removes the rating this link made; when a later click turned it the other way, that one stands. */
export async function undoFeedback({
  db,
  secretKey,
  token,
  origin = {},
  now = new Date(),
}: {
  db: TDatabase;
  secretKey: string;
  token: string;
  origin?: TRequestOrigin;
  now?: Date;
}): Promise<{ paper: TFeedbackPaper; rating: TRating; isRemoved: boolean }> {
  return db.transaction(async (tx) => {
    const target = await targetOf({ db: tx, secretKey, token, now, isForUpdate: true });
    const { isRemoved } = await createFeedbackRepository({ db: tx }).removeRating({
      subscriberId: target.subscriberId,
      paperId: target.paper.id,
      rating: target.rating,
    });
    if (isRemoved) {
      await recordFeedbackConsent({ db: tx, subscriberId: target.subscriberId, details: { action: 'undone' }, origin, now });
    }
    return { paper: target.paper, rating: target.rating, isRemoved };
  });
}
