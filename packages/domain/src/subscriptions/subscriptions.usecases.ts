import type { TDatabase, TDb } from '@paperboy/db';
import { withTimeout } from '@paperboy/runtime';
import { hashEmail } from './email-hash.ts';
import {
  queueUnavailableError,
  unknownTopicsError,
  subscriberGoneError,
  tokenError,
  tokenInvalidError,
  tokenUsedError,
} from './subscriptions.errors.ts';
import { chooseKeywords, matchNewKeywords } from './keywords.ts';
import { createSubscribersRepository, type TSubscriberRow } from './subscriptions.repository.ts';
import type { TSignupInput } from './subscriptions.schemas.ts';
import { verifyToken, type TTokenPurpose } from './tokens.ts';

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
  input,
  origin = {},
  now = new Date(),
}: {
  db: TDatabase;
  secretKey: string;
  confirmationResendMs: number;
  enqueueEmail: TEnqueueSubscriptionEmail;
  input: TSignupInput;
  origin?: TRequestOrigin;
  now?: Date;
}): Promise<{ outcome: TSignupOutcome }> {
  const emailHash = hashEmail({ secretKey, email: input.email });
  const consent = { ip: origin.ip ?? null, userAgent: origin.userAgent ?? null };

  // A new address, the common case, is one statement. With keywords it runs in a transaction,
  // since phrases nobody chose before are matched against recent papers in the same commit.
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
    return created;
  };
  const { subscriberId: createdId, topicIds } = input.keywords.length === 0 ? await insertNew(db) : await db.transaction(insertNew);

  const decision = createdId
    ? { subscriber: { id: createdId, lastConfirmationSentAt: null }, job: 'confirmation' as const }
    : await db.transaction(async (tx) => {
        const repository = createSubscribersRepository({ db: tx });
        const { subscriber } = await repository.findByEmailHash({ emailHash, isForUpdate: true });
        if (!subscriber) throw new Error('subscriber vanished between insert and select');
        switch (subscriber.status) {
          // Someone who erased their data is never mailed again, whoever types the address in.
          case 'erased':
            return { subscriber, job: undefined };
          // A confirmed subscriber's choices change only through their own preferences link.
          case 'confirmed':
            return { subscriber, job: 'manage-preferences' as const };
          case 'pending':
          case 'unsubscribed': {
            const isReturning = subscriber.status === 'unsubscribed';
            await repository.update({
              id: subscriber.id,
              values: { email: input.email, status: 'pending', frequency: input.frequency, digestSize: input.digestSize, confirmedAt: null },
            });
            await repository.replaceTopics({ subscriberId: subscriber.id, topicIds });
            await chooseKeywords({ db: tx, subscriberId: subscriber.id, phrases: input.keywords });
            await repository.recordConsent({
              subscriberId: subscriber.id,
              kind: isReturning ? 'resubscribe' : 'signup',
              ...consent,
              details: { ...choiceDetails(input), isRepeat: true },
              occurredAt: now,
            });
            return { subscriber, job: 'confirmation' as const };
          }
        }
      });

  if (!decision.job) return { outcome: 'ignored' };
  if (isThrottled({ subscriber: decision.subscriber, now, intervalMs: confirmationResendMs })) return { outcome: 'throttled' };
  // One job per subscriber and interval; the worker's claim on the row is the real guarantee.
  const bucket = Math.floor(now.getTime() / confirmationResendMs);
  try {
    // A queue that neither accepts nor refuses must not hold the request: answer 503 instead.
    await withTimeout(
      enqueueEmail({ job: decision.job, subscriberId: decision.subscriber.id, jobId: `${decision.job}-${decision.subscriber.id}-${bucket}` }),
      { timeoutMs: ENQUEUE_TIMEOUT_MS, message: `enqueue took longer than ${ENQUEUE_TIMEOUT_MS} ms` },
    );
  } catch (error) {
    throw queueUnavailableError(error);
  }
  return { outcome: decision.job === 'confirmation' ? 'confirmation_queued' : 'preferences_queued' };
}

/** The subscriber a link points at, or the error page it deserves. */
export async function subscriberFromToken({
  db,
  secretKey,
  token,
  purpose,
  isForUpdate = false,
  now = new Date(),
}: {
  db: TDb;
  secretKey: string;
  token: string;
  purpose: TTokenPurpose;
  isForUpdate?: boolean;
  now?: Date;
}): Promise<TSubscriberRow> {
  const check = verifyToken({ secretKey, token, purpose, now });
  if (!check.isValid) throw tokenError(check);
  const { subscriber } = await createSubscribersRepository({ db }).findById({ id: check.subscriberId, isForUpdate });
  if (!subscriber) throw tokenInvalidError();
  return subscriber;
}

/**
 * Confirming twice is fine ("already confirmed"). A confirm link for an address that unsubscribed
 * or erased its data since must not bring it back: that needs a new signup.
 */
export async function confirmSubscription({
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
}): Promise<{ outcome: 'confirmed' | 'already_confirmed'; subscriberId: string }> {
  return db.transaction(async (tx) => {
    const subscriber = await subscriberFromToken({ db: tx, secretKey, token, purpose: 'confirm', isForUpdate: true, now });
    if (subscriber.status === 'confirmed') return { outcome: 'already_confirmed' as const, subscriberId: subscriber.id };
    if (subscriber.status === 'erased') throw subscriberGoneError();
    if (subscriber.status === 'unsubscribed') throw tokenUsedError();
    const repository = createSubscribersRepository({ db: tx });
    await repository.update({ id: subscriber.id, values: { status: 'confirmed', confirmedAt: now, unsubscribedAt: null } });
    await repository.recordConsent({ subscriberId: subscriber.id, kind: 'confirm', ip: origin.ip, userAgent: origin.userAgent, occurredAt: now });
    return { outcome: 'confirmed' as const, subscriberId: subscriber.id };
  });
}

/**
 * Idempotent: unsubscribing an address that is already out (or erased) changes nothing and
 * still succeeds, as RFC 8058 mail clients may POST more than once.
 */
export async function unsubscribe({
  db,
  secretKey,
  token,
  purpose = 'unsubscribe',
  method,
  origin = {},
  now = new Date(),
}: {
  db: TDatabase;
  secretKey: string;
  token: string;
  purpose?: Extract<TTokenPurpose, 'unsubscribe' | 'preferences'>;
  method: 'one-click' | 'page' | 'preferences';
  origin?: TRequestOrigin;
  now?: Date;
}): Promise<{ outcome: 'unsubscribed' | 'already_unsubscribed' }> {
  return db.transaction(async (tx) => {
    const subscriber = await subscriberFromToken({ db: tx, secretKey, token, purpose, isForUpdate: true, now });
    if (subscriber.status === 'unsubscribed' || subscriber.status === 'erased') return { outcome: 'already_unsubscribed' as const };
    const repository = createSubscribersRepository({ db: tx });
    await repository.update({ id: subscriber.id, values: { status: 'unsubscribed', unsubscribedAt: now } });
    await repository.recordConsent({ subscriberId: subscriber.id, kind: 'unsubscribe', ip: origin.ip, userAgent: origin.userAgent, details: { method }, occurredAt: now });
    return { outcome: 'unsubscribed' as const };
  });
}
