import type { TDatabase, TDb } from '@paperboy/db';
import { subscriberGoneError } from './subscriptions.errors.ts';
import { chooseKeywords } from './subscriptions.keywords.ts';
import { createSubscribersRepository, type TSubscriberRow } from './subscriptions.repository.ts';
import type { TPreferencesInput } from './subscriptions.schemas.ts';
import { subscriberFromToken } from './links.usecases.ts';
import { choiceDetails, type TRequestOrigin } from './subscriptions.usecases.ts';
import { resolveTopicIds } from './subscriptions.topics.ts';

export type TPreferencesView = {
  subscriberId: string;
  email: string;
  status: TSubscriberRow['status'];
  frequency: TSubscriberRow['frequency'];
  digestSize: number;
  pausedUntil: Date | null;
  topics: string[];
  keywords: string[];
};

export async function getPreferences({ db, secretKey, token, now = new Date() }: { db: TDb; secretKey: string; token: string; now?: Date }): Promise<TPreferencesView> {
  const subscriber = await subscriberFromToken({ db, secretKey, token, purpose: 'preferences', now });
  if (subscriber.status === 'erased' || subscriber.email === null) throw subscriberGoneError();
  const choices = await createSubscribersRepository({ db }).getChoices({ subscriberId: subscriber.id });
  return {
    subscriberId: subscriber.id,
    email: subscriber.email,
    status: subscriber.status,
    frequency: subscriber.frequency,
    digestSize: subscriber.digestSize,
    pausedUntil: subscriber.pausedUntil && subscriber.pausedUntil > now ? subscriber.pausedUntil : null,
    topics: choices.topicSlugs,
    keywords: choices.keywords,
  };
}

/** Runs `change` on the token's live subscriber inside one transaction; erased data cannot be changed. */
export async function changeWithPreferencesToken<T>({
  db,
  secretKey,
  token,
  now,
  change,
}: {
  db: TDatabase;
  secretKey: string;
  token: string;
  now: Date;
  change: (input: { subscriber: TSubscriberRow; repository: ReturnType<typeof createSubscribersRepository>; tx: TDb }) => Promise<T>;
}): Promise<T> {
  return db.transaction(async (tx) => {
    const subscriber = await subscriberFromToken({ db: tx, secretKey, token, purpose: 'preferences', isForUpdate: true, now });
    if (subscriber.status === 'erased') throw subscriberGoneError();
    return change({ subscriber, repository: createSubscribersRepository({ db: tx }), tx });
  });
}

export async function updatePreferences({
  db,
  secretKey,
  token,
  input,
  origin = {},
  now = new Date(),
}: {
  db: TDatabase;
  secretKey: string;
  token: string;
  input: TPreferencesInput;
  origin?: TRequestOrigin;
  now?: Date;
}): Promise<void> {
  const topicIds = await resolveTopicIds({ db, slugs: input.topics, field: 'topics' });
  await changeWithPreferencesToken({
    db,
    secretKey,
    token,
    now,
    change: async ({ subscriber, repository, tx }) => {
      await repository.update({ id: subscriber.id, values: { frequency: input.frequency, digestSize: input.digestSize } });
      await repository.replaceTopics({ subscriberId: subscriber.id, topicIds });
      await chooseKeywords({ db: tx, subscriberId: subscriber.id, phrases: input.keywords });
      await repository.recordConsent({
        subscriberId: subscriber.id,
        kind: 'preferences_changed',
        ip: origin.ip,
        userAgent: origin.userAgent,
        details: choiceDetails(input),
        occurredAt: now,
      });
    },
  });
}

/** `weeks: 0` resumes now. */
export async function pauseSubscription({
  db,
  secretKey,
  token,
  weeks,
  origin = {},
  now = new Date(),
}: {
  db: TDatabase;
  secretKey: string;
  token: string;
  weeks: number;
  origin?: TRequestOrigin;
  now?: Date;
}): Promise<{ pausedUntil: Date | null }> {
  const pausedUntil = weeks > 0 ? new Date(now.getTime() + weeks * 7 * 24 * 3_600_000) : null;
  await changeWithPreferencesToken({
    db,
    secretKey,
    token,
    now,
    change: async ({ subscriber, repository }) => {
      await repository.update({ id: subscriber.id, values: { pausedUntil } });
      await repository.recordConsent({
        subscriberId: subscriber.id,
        kind: pausedUntil ? 'paused' : 'preferences_changed',
        ip: origin.ip,
        userAgent: origin.userAgent,
        details: pausedUntil ? { weeks, pausedUntil: pausedUntil.toISOString() } : { pausedUntil: null },
        occurredAt: now,
      });
    },
  });
  return { pausedUntil };
}

/** From the preference center: the token proves the inbox, so no second confirmation is needed. */
export async function resubscribe({
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
}): Promise<void> {
  await changeWithPreferencesToken({
    db,
    secretKey,
    token,
    now,
    change: async ({ subscriber, repository }) => {
      if (subscriber.status !== 'unsubscribed') return;
      await repository.update({ id: subscriber.id, values: { status: 'confirmed', confirmedAt: now, unsubscribedAt: null, pausedUntil: null } });
      await repository.recordConsent({ subscriberId: subscriber.id, kind: 'resubscribe', ip: origin.ip, userAgent: origin.userAgent, details: { method: 'preferences' }, occurredAt: now });
    },
  });
}
