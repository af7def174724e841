import type { TDatabase, TDb } from '@paperboy/db';
import { subscriberGoneError, tokenError, tokenInvalidError, tokenUsedError } from './subscriptions.errors.ts';
import { createSubscribersRepository, type TSubscriberRow } from './subscriptions.repository.ts';
import { verifyToken, type TTokenPurpose } from './subscriptions.tokens.ts';
import type { TRequestOrigin } from './subscriptions.usecases.ts';

// What the links in every email do: confirm a signup, and unsubscribe. Each checks its token
// against the row, since nothing is stored per token.

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

// A confirm link for an address that unsubscribed or erased its data since must not bring it back.
function confirmableStatus(subscriber: Pick<TSubscriberRow, 'status'>): 'pending' | 'confirmed' {
  if (subscriber.status === 'erased') throw subscriberGoneError();
  if (subscriber.status === 'unsubscribed') throw tokenUsedError();
  return subscriber.status;
}

/**
 * What a confirm link would do, without doing it: mail scanners follow links, so the page a GET
 * shows only offers the button, and the POST behind it confirms. Refuses the same links as
 * `confirmSubscription`.
 */
export async function checkConfirmation({
  db,
  secretKey,
  token,
  now = new Date(),
}: {
  db: TDb;
  secretKey: string;
  token: string;
  now?: Date;
}): Promise<{ isAlreadyConfirmed: boolean; subscriberId: string }> {
  const subscriber = await subscriberFromToken({ db, secretKey, token, purpose: 'confirm', now });
  return { isAlreadyConfirmed: confirmableStatus(subscriber) === 'confirmed', subscriberId: subscriber.id };
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
    if (confirmableStatus(subscriber) === 'confirmed') return { outcome: 'already_confirmed' as const, subscriberId: subscriber.id };
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
