import { deliveries, digestRuns, subscribers, type TDb } from '@paperboy/db';
import { hashEmail } from '../subscriptions/subscriptions.email-hash.ts';

// Rows a bounce or complaint is about, inserted directly: planning and sending have their own tests.

export const FIXTURE_SECRET = 'deliverability-test-secret-0123456789abcdef';

export async function insertSubscriber({ db, email, status = 'confirmed' }: { db: TDb; email: string; status?: 'pending' | 'confirmed' }) {
  const [row] = await db
    .insert(subscribers)
    .values({ email, emailHash: hashEmail({ secretKey: FIXTURE_SECRET, email }), status, confirmedAt: new Date() })
    .returning();
  return row!;
}

let period = 0;

/** A run in `state` with one delivery per subscriber, sent (or in `deliveryState`) unless told. */
export async function insertRunWithDeliveries({
  db,
  subscriberIds,
  state = 'sending',
  deliveryState = 'sent',
  createdAt = new Date(),
}: {
  db: TDb;
  subscriberIds: string[];
  state?: 'sending' | 'done';
  deliveryState?: 'pending' | 'sent';
  createdAt?: Date;
}) {
  period += 1;
  const [run] = await db
    .insert(digestRuns)
    .values({ frequency: 'weekly', trigger: 'admin', periodKey: `test-${period}-${Math.random()}`, periodStart: createdAt, periodEnd: createdAt, state, plannedCount: subscriberIds.length })
    .returning();
  const rows = await db
    .insert(deliveries)
    .values(
      subscriberIds.map((subscriberId, index) => ({
        runId: run!.id,
        subscriberId,
        paperIds: [],
        state: deliveryState,
        messageId: deliveryState === 'sent' ? `<digest-${run!.id}-${index}@paperboy.test>` : null,
        sentAt: deliveryState === 'sent' ? createdAt : null,
        createdAt,
      })),
    )
    .returning();
  return { run: run!, deliveries: rows };
}
