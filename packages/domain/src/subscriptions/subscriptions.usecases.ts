import type { TDatabase, TDb } from '@paperboy/db';
import { withTimeout } from '@paperboy/runtime';
import { createFeedbackRepository } from '../feedback/feedback.repository.ts';
import { hashEmail } from './subscriptions.email-hash.ts';
import { signupNotQueuedError, unknownTopicsError } from './subscriptions.errors.ts';
import { chooseKeywords, matchNewKeywords } from './subscriptions.keywords.ts';
import { createSubscribersRepository, type TSubscriberRow } from './subscriptions.repository.ts';
import type { TSignupInput } from './subscriptions.schemas.ts';

const ENQUEUE_TIMEOUT_MS = 3_000;

export type TSubscriptionEmailJob = 'confirmation' | 'manage-preferences';

/** How the API hands a message to the worker; rejects when the queue cannot take it. */
export type TEnqueueSubscriptionEmail = (input: { job: TSubscriptionEmailJob; subscriberId: string; jobId: string }) => Promise<void>;

export type TRequestOrigin = { ip?: string | null; userAgent?: string | null };

export type TSignupOutcome = 'confirmation_queued' | 'preferences_queued' | 'throttled' | 'ignored';

export function choiceDetails(input: Pick<TSignupInput, 'topics' | 'keywords' | 'frequency' | 'digestSize'>) {
  // The log is append-only and survives erasure, so it keeps the choices but not the free-text keywords.
  return { topics: input.topics, keywordCount: input.keywords.length, frequency: input.frequency, digestSize: input.digestSize };
}

function isThrottled({ subscriber, now, intervalMs }: { subscriber: Pick<TSubscriberRow, 'lastConfirmationSentAt'>; now: Date; intervalMs: number }): boolean {
  const last = subscriber.lastConfirmationSentAt;
  return last !== null && now.getTime() - last.getTime() < intervalMs;
}

type TSignupContext = {
  db: TDatabase;
  input: TSignupInput;
  emailHash: string;
  consent: { ip: string | null; userAgent: string | null };
  now: Date;
};

type TSignupDecision = {
  subscriber: Pick<TSubscriberRow, 'id' | 'lastConfirmationSentAt'>;
  job: TSubscriptionEmailJob | undefined;
  /** Liked papers not in the database yet, to be fetched by arXiv id. */
  unresolvedLiked: string[];
};

/**
 * Records a signup and asks the worker for the right message. Every outcome looks the same to the
 * caller's client. The row is committed before the job is queued: when the queue is down the
 * caller answers 503 and the signup is still there, so signing up again (or a resend) mails it.
 */
export async function signup({
  db,
  secretKey,
  confirmationResendMs,
  enqueueEmail,
  enqueueLikedPaperFetch,
  input,
  origin = {},
  now = new Date(),
}: {
  db: TDatabase;
  secretKey: string;
  confirmationResendMs: number;
  enqueueEmail: TEnqueueSubscriptionEmail;
  /** Asks the worker to fetch liked papers that are not stored yet. */
  enqueueLikedPaperFetch?: (arxivIds: string[]) => Promise<void>;
  input: TSignupInput;
  origin?: TRequestOrigin;
  now?: Date;
}): Promise<{ outcome: TSignupOutcome }> {
  const context: TSignupContext = {
    db,
    input,
    emailHash: hashEmail({ secretKey, email: input.email }),
    consent: { ip: origin.ip ?? null, userAgent: origin.userAgent ?? null },
    now,
  };
  const created = await insertIfNew(context);
  const decision = created.subscriberId
    ? { subscriber: { id: created.subscriberId, lastConfirmationSentAt: null }, job: 'confirmation' as const, unresolvedLiked: created.unresolvedLiked }
    : await signupOfKnownAddress(context, created.topicIds);
  if (!decision.job) return { outcome: 'ignored' };
  if (decision.unresolvedLiked.length > 0) await enqueueLikedPaperFetch?.(decision.unresolvedLiked);
  if (isThrottled({ subscriber: decision.subscriber, now, intervalMs: confirmationResendMs })) return { outcome: 'throttled' };
  await queueSignupEmail({ enqueueEmail, decision: { ...decision, job: decision.job }, now, intervalMs: confirmationResendMs });
  return { outcome: decision.job === 'confirmation' ? 'confirmation_queued' : 'preferences_queued' };
}

/** Papers the reader liked replace any they named before; those not stored yet are returned. */
async function rememberLiked({ db, input, now }: Pick<TSignupContext, 'input' | 'now'> & { db: TDb }, subscriberId: string): Promise<string[]> {
  const { unresolved } = await createFeedbackRepository({ db }).replaceLikedPapers({ subscriberId, arxivIds: input.likedPapers ?? [], now });
  return unresolved;
}

/**
 * A new address, the common case, is one statement. With keywords it runs in a transaction,
 * since phrases nobody chose before are matched against recent papers in the same commit; with
 * liked papers too, so they are stored with the signup or not at all.
 */
async function insertIfNew({ db, input, emailHash, consent, now }: TSignupContext) {
  const insertNew = async (tx: TDb) => {
    const created = await createSubscribersRepository({ db: tx }).insertNewSignup({
      email: input.email,
      emailHash,
      frequency: input.frequency,
      digestSize: input.digestSize,
      topicSlugs: input.topics,
      phrases: input.keywords,
      consent: { ...consent, details: choiceDetails(input), occurredAt: now },
    });
    // Unknown topics are a 400, and the statement wrote nothing.
    if (created.unknownSlugs.length > 0) throw unknownTopicsError({ slugs: created.unknownSlugs });
    // A phrase another signup inserted during the statement was not linked: link them all again.
    if (created.subscriberId && created.linkedKeywords < input.keywords.length) {
      await chooseKeywords({ db: tx, subscriberId: created.subscriberId, phrases: input.keywords, now });
    }
    await matchNewKeywords({ db: tx, keywordIds: created.newKeywordIds, now });
    const hasLiked = (input.likedPapers ?? []).length > 0;
    const unresolvedLiked = created.subscriberId && hasLiked ? await rememberLiked({ db: tx, input, now }, created.subscriberId) : [];
    return { ...created, unresolvedLiked };
  };
  const isOneStatement = input.keywords.length === 0 && (input.likedPapers ?? []).length === 0;
  return isOneStatement ? insertNew(db) : db.transaction(insertNew);
}

/** A known address: what its status allows, decided under a row lock. */
async function signupOfKnownAddress(context: TSignupContext, topicIds: number[]): Promise<TSignupDecision> {
  return context.db.transaction(async (tx) => {
    const { subscriber } = await createSubscribersRepository({ db: tx }).findByEmailHash({ emailHash: context.emailHash, isForUpdate: true });
    if (!subscriber) throw new Error('subscriber vanished between insert and select');
    switch (subscriber.status) {
      // Someone who erased their data is never mailed again, whoever types the address in.
      case 'erased':
        return { subscriber, job: undefined, unresolvedLiked: [] };
      // A confirmed subscriber's choices change only through their own preferences link.
      case 'confirmed':
        return { subscriber, job: 'manage-preferences', unresolvedLiked: [] };
      case 'pending':
      case 'unsubscribed':
        await signUpAgain({ ...context, db: tx }, { subscriber, topicIds });
        return { subscriber, job: 'confirmation', unresolvedLiked: await rememberLiked({ ...context, db: tx }, subscriber.id) };
    }
  });
}

/** Pending or unsubscribed: the new choices replace the old, and the address must confirm (again). */
async function signUpAgain({ db, input, consent, now }: Omit<TSignupContext, 'db'> & { db: TDb }, { subscriber, topicIds }: { subscriber: TSubscriberRow; topicIds: number[] }) {
  const repository = createSubscribersRepository({ db });
  await repository.update({
    id: subscriber.id,
    values: { email: input.email, status: 'pending', frequency: input.frequency, digestSize: input.digestSize, confirmedAt: null },
  });
  await repository.replaceTopics({ subscriberId: subscriber.id, topicIds });
  await chooseKeywords({ db, subscriberId: subscriber.id, phrases: input.keywords });
  await repository.recordConsent({
    subscriberId: subscriber.id,
    kind: subscriber.status === 'unsubscribed' ? 'resubscribe' : 'signup',
    ...consent,
    details: { ...choiceDetails(input), isRepeat: true },
    occurredAt: now,
  });
}

/** One job per subscriber and interval; the worker's claim on the row is the real guarantee. */
async function queueSignupEmail({
  enqueueEmail,
  decision,
  now,
  intervalMs,
}: {
  enqueueEmail: TEnqueueSubscriptionEmail;
  decision: { subscriber: { id: string }; job: TSubscriptionEmailJob };
  now: Date;
  intervalMs: number;
}) {
  const jobId = `${decision.job}-${decision.subscriber.id}-${Math.floor(now.getTime() / intervalMs)}`;
  try {
    // A queue that neither accepts nor refuses must not hold the request: answer 503 instead.
    await withTimeout(enqueueEmail({ job: decision.job, subscriberId: decision.subscriber.id, jobId }), {
      timeoutMs: ENQUEUE_TIMEOUT_MS,
      message: `enqueue took longer than ${ENQUEUE_TIMEOUT_MS} ms`,
    });
  } catch (error) {
    throw signupNotQueuedError(error);
  }
}
