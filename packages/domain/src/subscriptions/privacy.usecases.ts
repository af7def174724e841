import { deliveries, papers, sentPapers, subscribers, type TDatabase, type TDb } from '@paperboy/db';
import { asc, eq } from 'drizzle-orm';
import { createFeedbackRepository } from '../feedback/feedback.repository.ts';
import { subscriberGoneError } from './subscriptions.errors.ts';
import { createSubscribersRepository } from './subscriptions.repository.ts';
import { subscriberFromToken } from './links.usecases.ts';

/** Everything stored about one subscriber, as the "download my data" button hands it over. */
export type TSubscriberExport = {
  exportedAt: string;
  subscriber: {
    id: string;
    email: string | null;
    status: string;
    frequency: string;
    digestSize: number;
    pausedUntil: string | null;
    confirmedAt: string | null;
    unsubscribedAt: string | null;
    lastConfirmationSentAt: string | null;
    lastDigestAt: string | null;
    bounceCount: number;
    createdAt: string;
    updatedAt: string;
  };
  topics: string[];
  keywords: string[];
  consentLog: { kind: string; occurredAt: string; ip: string | null; userAgent: string | null; details: Record<string, unknown> }[];
  deliveries: { id: string; state: string; sentAt: string | null; createdAt: string }[];
  papersSent: { arxivId: string; title: string; sentAt: string }[];
  /** "More like this" (1) and "less like this" (-1) clicks, the latest per paper. */
  paperRatings: { arxivId: string; title: string; rating: number; ratedAt: string }[];
  /** Papers named as liked; `title` is null until the paper is in Paperboy. */
  likedPapers: { arxivId: string; title: string | null; addedAt: string }[];
};

const iso = (date: Date | null) => date?.toISOString() ?? null;

export async function exportSubscriberData({
  db,
  secretKey,
  token,
  now = new Date(),
}: {
  db: TDb;
  secretKey: string;
  token: string;
  now?: Date;
}): Promise<TSubscriberExport> {
  const subscriber = await subscriberFromToken({ db, secretKey, token, purpose: 'preferences', now });
  if (subscriber.status === 'erased') throw subscriberGoneError();
  const repository = createSubscribersRepository({ db });
  const feedback = createFeedbackRepository({ db });
  const [choices, { events }, deliveryRows, sentRows, ratings, likedPapers] = await Promise.all([
    repository.getChoices({ subscriberId: subscriber.id }),
    repository.listConsent({ subscriberId: subscriber.id }),
    db
      .select({ id: deliveries.id, state: deliveries.state, sentAt: deliveries.sentAt, createdAt: deliveries.createdAt })
      .from(deliveries)
      .where(eq(deliveries.subscriberId, subscriber.id))
      .orderBy(asc(deliveries.createdAt)),
    db
      .select({ arxivId: papers.arxivId, title: papers.title, sentAt: sentPapers.sentAt })
      .from(sentPapers)
      .innerJoin(papers, eq(papers.id, sentPapers.paperId))
      .where(eq(sentPapers.subscriberId, subscriber.id))
      .orderBy(asc(sentPapers.sentAt)),
    feedback.listRatings({ subscriberId: subscriber.id }),
    feedback.listLikedPapers({ subscriberId: subscriber.id }),
  ]);
  return {
    exportedAt: now.toISOString(),
    subscriber: {
      id: subscriber.id,
      email: subscriber.email,
      status: subscriber.status,
      frequency: subscriber.frequency,
      digestSize: subscriber.digestSize,
      pausedUntil: iso(subscriber.pausedUntil),
      confirmedAt: iso(subscriber.confirmedAt),
      unsubscribedAt: iso(subscriber.unsubscribedAt),
      lastConfirmationSentAt: iso(subscriber.lastConfirmationSentAt),
      lastDigestAt: iso(subscriber.lastDigestAt),
      bounceCount: subscriber.bounceCount,
      createdAt: subscriber.createdAt.toISOString(),
      updatedAt: subscriber.updatedAt.toISOString(),
    },
    topics: choices.topicSlugs,
    keywords: choices.keywords,
    consentLog: events.map((event) => ({
      kind: event.kind,
      occurredAt: event.occurredAt.toISOString(),
      ip: event.ip,
      userAgent: event.userAgent,
      details: event.details,
    })),
    deliveries: deliveryRows.map((row) => ({ id: row.id, state: row.state, sentAt: iso(row.sentAt), createdAt: row.createdAt.toISOString() })),
    papersSent: sentRows.map((row) => ({ arxivId: row.arxivId, title: row.title, sentAt: row.sentAt.toISOString() })),
    paperRatings: ratings.map((row) => ({ arxivId: row.arxivId, title: row.title, rating: row.rating, ratedAt: row.ratedAt.toISOString() })),
    likedPapers: likedPapers.map((row) => ({ arxivId: row.arxivId, title: row.title, addedAt: row.addedAt.toISOString() })),
  };
}

/**
 * Erases the personal data and keeps only the address's HMAC (so it is recognised and never
 * mailed again) and the consent log minus where it came from (proof of what was agreed, which
 * the trigger keeps append-only). Topics and keywords links go; shared keyword phrases stay.
 * Paper ratings and liked papers go too.
 */
export async function eraseSubscriberData({
  db,
  secretKey,
  token,
  now = new Date(),
}: {
  db: TDatabase;
  secretKey: string;
  token: string;
  now?: Date;
}): Promise<{ outcome: 'erased' | 'already_erased' }> {
  return db.transaction(async (tx) => {
    const subscriber = await subscriberFromToken({ db: tx, secretKey, token, purpose: 'preferences', isForUpdate: true, now });
    if (subscriber.status === 'erased') return { outcome: 'already_erased' as const };
    await eraseSubscriber({ db: tx, subscriberId: subscriber.id, now, wasUnsubscribedAt: subscriber.unsubscribedAt });
    return { outcome: 'erased' as const };
  });
}

/** The erase itself, for a subscriber already locked by the caller's transaction. */
async function eraseSubscriber({
  db,
  subscriberId,
  now,
  wasUnsubscribedAt,
}: {
  db: TDb;
  subscriberId: string;
  now: Date;
  wasUnsubscribedAt: Date | null;
}): Promise<void> {
  const repository = createSubscribersRepository({ db });
  await db
    .update(subscribers)
    .set({ email: null, status: 'erased', pausedUntil: null, unsubscribedAt: wasUnsubscribedAt ?? now })
    .where(eq(subscribers.id, subscriberId));
  await repository.replaceTopics({ subscriberId, topicIds: [] });
  await repository.replaceKeywords({ subscriberId, phrases: [] });
  await createFeedbackRepository({ db }).eraseFor({ subscriberId });
  await repository.forgetConsentOrigins({ subscriberId });
  // A server's own words (a refusal, its answer to DATA) often quote the address; the bounce
  // classification stays, it is only a code.
  await db.update(deliveries).set({ lastError: null, smtpResponse: null }).where(eq(deliveries.subscriberId, subscriberId));
  await repository.recordConsent({ subscriberId, kind: 'erase', occurredAt: now });
}
