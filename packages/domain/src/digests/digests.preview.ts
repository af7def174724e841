import type { TDatabase } from '@paperboy/db';
import type { TOutgoingEmail } from '@paperboy/email';
import { AppError } from '../shared/errors.ts';
import { inRolledBackTransaction } from '../shared/transactions.ts';
import type { TDigestComposer } from './digests.composer.ts';
import { periodFor } from './digests.periods.ts';
import { planDeliveries } from './digests.planning.ts';
import { createDigestsRepository } from './digests.repository.ts';
import type { TRunSettings } from './digests.usecases.ts';

/**
 * The digest a subscriber would get if a run started now, rendered exactly as it would be
 * sent. Planned inside a transaction that is rolled back: nothing is recorded or sent.
 */
export async function previewDigest({
  db,
  subscriberId,
  composer,
  now,
  settings,
}: {
  db: TDatabase;
  subscriberId: string;
  composer: TDigestComposer;
  now: Date;
  settings: TRunSettings;
}): Promise<TOutgoingEmail> {
  const { email, frequency } = await inRolledBackTransaction(db, async (tx) => {
    const repository = createDigestsRepository({ db: tx });
    const subscriber = await tx.query.subscribers.findFirst({
      where: (table, { eq }) => eq(table.id, subscriberId),
      extras: (table, { sql }) => ({
        topicIds: sql<number[]>`array(select topic_id from subscriber_topics where subscriber_id = ${table.id})`.as('topic_ids'),
        keywordIds: sql<number[]>`array(select keyword_id from subscriber_keywords where subscriber_id = ${table.id})`.as('keyword_ids'),
      }),
    });
    if (!subscriber?.email) return { email: undefined, frequency: undefined };
    const frequency = subscriber.frequency;
    const period = periodFor({ frequency, now, lookbackDays: settings.lookbackDays[frequency] });
    const { run } = await repository.insertRun({
      values: { frequency, trigger: 'admin', isDryRun: true, periodKey: period.key, periodStart: period.start, periodEnd: period.end, state: 'sending' },
    });
    await planDeliveries({ db: tx, runId: run!.id, frequency, periodStart: period.start, periodEnd: period.end, now, onlySubscriberId: subscriberId });
    const delivery = await tx.query.deliveries.findFirst({ where: (table, { eq }) => eq(table.runId, run!.id) });
    if (!delivery) return { email: undefined, frequency };
    const email = await composer.compose({
      id: delivery.id,
      runId: run!.id,
      subscriberId,
      email: subscriber.email,
      frequency,
      paperIds: delivery.paperIds,
      likedPaperIds: delivery.likedPaperIds,
      topicIds: subscriber.topicIds,
      keywordIds: subscriber.keywordIds,
      attempts: 0,
    });
    return { email, frequency };
  });
  if (!frequency) {
    throw new AppError({ code: 'digests.subscriber_not_found', status: 404, message: 'No subscriber with an address by that id.' });
  }
  if (!email) {
    throw new AppError({
      code: 'digests.nothing_new',
      status: 404,
      message: `Nothing new matches this subscriber's topics and keywords in the current ${frequency} period.`,
    });
  }
  return email;
}
