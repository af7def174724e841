import type { TDb } from '@paperboy/db';
import { AppError } from '../shared/errors.ts';
import { hashEmail } from '../subscriptions/subscriptions.email-hash.ts';
import { createSubscribersRepository } from '../subscriptions/subscriptions.repository.ts';
import type { TBounceKind } from './deliverability.classifier.ts';
import {
  createDeliverabilityRepository,
  type TEvidenceSource,
  type TEvidenceSubject,
  type TSuppressionReason,
  type TSuppressionRow,
} from './deliverability.repository.ts';

export type TBounceOutcome = 'suppressed' | 'counted' | 'ignored' | 'duplicate';

/** How a bounce or complaint names what it is about; resolved to a subscriber with `findEvidenceSubject`. */
export type TEvidenceRef = { deliveryId: string } | { messageId: string } | { email: string };

export async function findEvidenceSubject({ db, secretKey, ref }: { db: TDb; secretKey: string; ref: TEvidenceRef }) {
  const repository = createDeliverabilityRepository({ db });
  if ('deliveryId' in ref) return repository.subjectOfDelivery(ref);
  if ('messageId' in ref) return repository.subjectOfMessageId(ref);
  return repository.subjectOfEmailHash({ emailHash: hashEmail({ secretKey, email: ref.email.trim().toLowerCase() }) });
}

/**
 * Records one bounce against a subscriber, from a refusal during the send (`smtp`), a bounce
 * report (`dsn`) or a provider's webhook:
 * - `hard`: the address is suppressed at once;
 * - `soft`: counted; `softBounceLimit` soft bounces in a row across runs suppress. A delivery
 *   that left without bouncing breaks the row, so the send path has nothing to reset;
 * - `policy`: counted on the delivery (the run's rate) and nowhere else;
 * - `transport` and `deferred` are not the address's doing: ignored.
 * A delivery is counted once however many times its bounce is reported.
 */
export async function recordBounce({
  db,
  subject,
  bounce,
  source,
  softBounceLimit,
}: {
  db: TDb;
  subject: TEvidenceSubject;
  bounce: { kind: TBounceKind; classification: string };
  source: TEvidenceSource;
  softBounceLimit: number;
}): Promise<{ outcome: TBounceOutcome }> {
  const { kind, classification } = bounce;
  if (kind === 'transport' || kind === 'deferred') return { outcome: 'ignored' };
  return db.transaction(async (tx) => {
    const repository = createDeliverabilityRepository({ db: tx });
    const { subscriberId, deliveryId } = subject;
    if (deliveryId) {
      const { isRecorded } = await repository.markDeliveryBounced({ deliveryId, kind, classification });
      if (!isRecorded) return { outcome: 'duplicate' as const };
    }
    if (kind === 'policy') return { outcome: 'counted' as const };
    await repository.bumpBounceCount({ subscriberId });
    await createSubscribersRepository({ db: tx }).recordConsent({ subscriberId, kind: 'bounce', details: { classification, source, deliveryId } });
    const isOverLimit =
      kind === 'soft' && deliveryId !== undefined && (await repository.softBounceStreak({ subscriberId, deliveryId, limit: softBounceLimit })).streak >= softBounceLimit;
    if (kind === 'soft' && !isOverLimit) return { outcome: 'counted' as const };
    const reason: TSuppressionReason = kind === 'hard' ? 'hard_bounce' : 'soft_bounce_limit';
    await suppress({ db: tx, subject, reason, classification, source });
    return { outcome: 'suppressed' as const };
  });
}

/**
 * A reader marked a message as spam (an ARF report, a provider's complaint webhook). They are
 * unsubscribed at once, with a consent log entry saying why, and the address is suppressed so
 * a later signup cannot bring the mail back without an admin lifting it.
 */
export async function recordComplaint({
  db,
  subject,
  source,
  feedbackType = 'abuse',
}: {
  db: TDb;
  subject: TEvidenceSubject;
  source: TEvidenceSource;
  /** ARF Feedback-Type or the provider's word for it; kept only when it is a plain word. */
  feedbackType?: string;
}): Promise<{ outcome: 'unsubscribed' | 'duplicate' }> {
  return db.transaction(async (tx) => {
    const repository = createDeliverabilityRepository({ db: tx });
    const { subscriberId, deliveryId } = subject;
    if (deliveryId && !(await repository.markDeliveryComplained({ deliveryId })).isRecorded) return { outcome: 'duplicate' as const };
    const classification = `complaint ${/^[a-z-]{1,24}$/.test(feedbackType) ? feedbackType : 'other'}`;
    const { isUnsubscribed } = await repository.unsubscribe({ subscriberId });
    if (isUnsubscribed) {
      await createSubscribersRepository({ db: tx }).recordConsent({ subscriberId, kind: 'unsubscribe', details: { reason: 'complaint', source } });
    }
    await suppress({ db: tx, subject, reason: 'complaint', classification, source });
    return { outcome: 'unsubscribed' as const };
  });
}

async function suppress({
  db,
  subject,
  reason,
  classification,
  source,
}: {
  db: TDb;
  subject: TEvidenceSubject;
  reason: TSuppressionReason;
  classification: string | null;
  source: TEvidenceSource;
}) {
  const { suppressionId } = await createDeliverabilityRepository({ db }).suppressSubscriber({ ...subject, reason, classification, source });
  if (!suppressionId) return;
  await createSubscribersRepository({ db }).recordConsent({
    subscriberId: subject.subscriberId,
    kind: 'suppressed',
    details: { reason, classification, source },
  });
}

/** A suppression as the console and the JSON API show it. */
export type TSuppressionView = Omit<TSuppressionRow, 'email' | 'emailHash'> & {
  /** The address while the subscriber has one; else the start of its hash, which is all that is left. */
  address: string;
  /** False once the subscriber erased their data, or when nobody subscribed with this address. */
  hasAddress: boolean;
};

export async function listSuppressions({ db, limit, offset }: { db: TDb; limit: number; offset: number }) {
  const { suppressions, total } = await createDeliverabilityRepository({ db }).listSuppressions({ limit, offset });
  const views: TSuppressionView[] = suppressions.map(({ email, emailHash, ...row }) => ({
    ...row,
    address: email ?? `hash ${emailHash.slice(0, 12)}…`,
    hasAddress: email !== null,
  }));
  return { suppressions: views, total };
}

export const suppressionNotFoundError = () =>
  new AppError({ code: 'deliverability.suppression_not_found', message: 'No such suppression.', status: 404 });

/** Lifts a suppression: the address may be mailed again (a complaint's unsubscribe stays). */
export async function liftSuppression({ db, id }: { db: TDb; id: string }): Promise<{ reason: TSuppressionReason }> {
  return db.transaction(async (tx) => {
    const { lifted } = await createDeliverabilityRepository({ db: tx }).deleteSuppression({ id });
    if (!lifted) throw suppressionNotFoundError();
    if (lifted.subscriberId) {
      await createSubscribersRepository({ db: tx }).recordConsent({
        subscriberId: lifted.subscriberId,
        kind: 'suppression_lifted',
        details: { reason: lifted.reason },
      });
    }
    return { reason: lifted.reason };
  });
}

/** An admin suppresses an address by hand, whether or not anyone subscribed with it. */
export async function suppressAddress({ db, secretKey, email }: { db: TDb; secretKey: string; email: string }) {
  const emailHash = hashEmail({ secretKey, email: email.trim().toLowerCase() });
  return db.transaction(async (tx) => {
    const { suppressionId } = await createDeliverabilityRepository({ db: tx }).suppressHash({ emailHash, reason: 'manual', source: 'admin' });
    const { subject } = await createDeliverabilityRepository({ db: tx }).subjectOfEmailHash({ emailHash });
    if (suppressionId && subject) {
      await createSubscribersRepository({ db: tx }).recordConsent({ subscriberId: subject.subscriberId, kind: 'suppressed', details: { reason: 'manual', source: 'admin' } });
    }
    return { isNew: suppressionId !== undefined };
  });
}
