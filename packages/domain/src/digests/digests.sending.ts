import { classifySmtpError, type TMailer, type TOutgoingEmail } from '@paperboy/email';
import type { TDb } from '@paperboy/db';
import { sql } from 'drizzle-orm';
import type { TDigestComposer } from './digests.composer.ts';
import { createDigestsRepository, type TClaimedDelivery, type TDigestsRepository, type TSentDelivery } from './digests.repository.ts';

export type TDeliveryFailure = { deliveryId: string; reason: string };

export type TBatchOutcome = {
  sent: number;
  failed: TDeliveryFailure[];
  /** Not claimed: already sent by another attempt, run not sending, or subscriber gone (those are cancelled). */
  skipped: number;
  cancelled: number;
  /** Given back after a 4xx or a dropped connection, for the job's retry to claim again. */
  retrying: TDeliveryFailure[];
};

/** Thrown for a failure worth retrying (4xx, dropped connection): the queue retries with backoff. */
export class TransientSendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientSendError';
  }
}

/**
 * Sends a batch of digests, each exactly once as far as this side can tell.
 *
 * The batch goes out in groups of `inFlight`. One statement claims a group: only rows still
 * pending (or with an expired lease), in a run that is sending, for a subscriber still
 * confirmed. The group's messages are rendered and handed to the mailer's pool together, and
 * only then is the next group claimed, so a claim is never more than one group ahead of its
 * send: an unsubscribe, a pause or a cancel takes effect within a group, and no lease runs out
 * while a row waits its turn. Each accepted message is recorded sent, with the server's answer
 * and its message id, in the same statement that records its papers as received. Those
 * statements are group commits: while one runs the next accepted messages gather, so a crash
 * leaves unrecorded only what was accepted during one round trip.
 *
 * A 5xx fails only its delivery (and counts a bounce). A 4xx or a dropped connection gives the
 * row back, and the batch ends in a TransientSendError so the queue retries the job with
 * backoff; the retry claims only the rows given back, up to `maxAttempts` claims each. A
 * database error stops the batch and fails the job the same way: the later groups were never
 * claimed, and a group whose papers could not be loaded is given back at once.
 */
export async function sendDeliveries({
  db,
  mailer,
  composer,
  deliveryIds,
  leaseMs,
  maxAttempts,
  inFlight,
}: {
  db: TDb;
  mailer: TMailer;
  composer: TDigestComposer;
  deliveryIds: string[];
  leaseMs: number;
  maxAttempts: number;
  /** Deliveries claimed, rendered and handed to the mailer at once. */
  inFlight: number;
}): Promise<TBatchOutcome> {
  const repository = createDigestsRepository({ db });
  const outcome: TBatchOutcome = { sent: 0, failed: [], skipped: 0, cancelled: 0, retrying: [] };
  const marks = createGroupCommit((sent: TSentDelivery[]) => recordSent(() => repository.markSent({ sent })));
  try {
    for (let start = 0; start < deliveryIds.length; start += inFlight) {
      await sendGroup({ db, repository, mailer, composer, deliveryIds: deliveryIds.slice(start, start + inFlight), leaseMs, maxAttempts, marks, outcome });
    }
  } finally {
    await marks.settle();
  }
  if (outcome.retrying.length > 0) {
    const [first] = outcome.retrying;
    throw new TransientSendError(`${outcome.retrying.length} deliveries will be retried; first: ${first?.reason}`);
  }
  return outcome;
}

async function sendGroup({
  db,
  repository,
  mailer,
  composer,
  deliveryIds,
  leaseMs,
  maxAttempts,
  marks,
  outcome,
}: {
  db: TDb;
  repository: TDigestsRepository;
  mailer: TMailer;
  composer: TDigestComposer;
  deliveryIds: string[];
  leaseMs: number;
  maxAttempts: number;
  marks: TGroupCommit<TSentDelivery>;
  outcome: TBatchOutcome;
}) {
  const { claimed } = await repository.claimDeliveries({ deliveryIds, leaseExpiredBefore: new Date(Date.now() - leaseMs) });
  const claimedIds = new Set(claimed.map((delivery) => delivery.id));
  const unclaimed = deliveryIds.filter((id) => !claimedIds.has(id));
  const { cancelled } = unclaimed.length > 0 ? await repository.cancelUnconfirmed({ deliveryIds: unclaimed }) : { cancelled: 0 };
  outcome.cancelled += cancelled;
  outcome.skipped += unclaimed.length - cancelled;
  if (claimed.length === 0) return;

  try {
    await composer.preload(claimed.flatMap((delivery) => [...delivery.paperIds, ...delivery.likedPaperIds]));
  } catch (error) {
    // Nothing was sent: give the rows back at once rather than after their lease.
    await Promise.allSettled(claimed.map((delivery) => repository.releaseDelivery({ deliveryId: delivery.id, error: 'papers could not be loaded' })));
    throw error;
  }
  let failure: Error | undefined;
  await Promise.all(
    claimed.map(async (delivery) => {
      try {
        const result = await sendOne({ db, repository, mailer, composer, delivery, maxAttempts });
        if (result.outcome === 'sent') {
          marks.add(result.sent);
          outcome.sent += 1;
        } else if (result.outcome === 'failed') {
          outcome.failed.push({ deliveryId: delivery.id, reason: result.reason });
        } else {
          outcome.retrying.push({ deliveryId: delivery.id, reason: result.reason });
        }
      } catch (error) {
        // The database failed while recording a refusal or a render failure (an accepted message
        // is recorded by the group commit, not here). The message did not leave; the row keeps
        // its claim and is tried again after its lease. The rest of the group goes on.
        failure ??= error instanceof Error ? error : new Error('recording a send outcome failed', { cause: error });
      }
    }),
  );
  if (failure) throw failure;
}

type TOneOutcome = { outcome: 'sent'; sent: TSentDelivery } | { outcome: 'failed' | 'retry'; reason: string };

async function sendOne({
  db,
  repository,
  mailer,
  composer,
  delivery,
  maxAttempts,
}: {
  db: TDb;
  repository: TDigestsRepository;
  mailer: TMailer;
  composer: TDigestComposer;
  delivery: TClaimedDelivery;
  maxAttempts: number;
}): Promise<TOneOutcome> {
  const deliveryId = delivery.id;
  let email: TOutgoingEmail;
  try {
    email = await composer.compose(delivery);
  } catch (error) {
    // A digest that cannot be rendered will not render on retry either.
    const reason = `render: ${(error as Error).message}`;
    await repository.markFailed({ deliveryId, error: reason });
    return { outcome: 'failed', reason };
  }

  try {
    const result = await mailer.send(email);
    return { outcome: 'sent', sent: { deliveryId, messageId: email.messageId ?? result.messageId, smtpResponse: result.response } };
  } catch (error) {
    const reason = describeSmtpError(error);
    if (classifySmtpError(error) === 'permanent') {
      await repository.markFailed({ deliveryId, error: reason });
      await recordBounce({ db, subscriberId: delivery.subscriberId, deliveryId, reason });
      return { outcome: 'failed', reason };
    }
    if (delivery.attempts >= maxAttempts) {
      await repository.markFailed({ deliveryId, error: `gave up after ${delivery.attempts} attempts: ${reason}` });
      return { outcome: 'failed', reason };
    }
    await repository.releaseDelivery({ deliveryId, error: reason });
    return { outcome: 'retry', reason };
  }
}

/**
 * Group commit: items added while a write is in progress wait and go together in the next
 * write, so there is never more than one write in flight and none waits on a timer.
 * `settle` resolves once everything added has been written, or throws the first failure.
 */
type TGroupCommit<T> = { add: (item: T) => void; settle: () => Promise<void> };

function createGroupCommit<T>(write: (items: T[]) => Promise<unknown>): TGroupCommit<T> {
  let waiting: T[] = [];
  let writing: Promise<void> | undefined;
  let failure: Error | undefined;
  const drain = async () => {
    while (waiting.length > 0) {
      const group = waiting;
      waiting = [];
      try {
        await write(group);
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(String(error));
      }
    }
    writing = undefined;
  };
  return {
    add: (item: T) => {
      waiting.push(item);
      writing ??= drain();
    },
    settle: async () => {
      await writing;
      if (failure) throw failure;
    },
  };
}

function describeSmtpError(error: unknown): string {
  const { responseCode, response, code, message } = error as { responseCode?: number; response?: string; code?: string; message?: string };
  return [responseCode, code, response ?? message].filter(Boolean).join(' ').slice(0, 500);
}

async function recordBounce({ db, subscriberId, deliveryId, reason }: { db: TDb; subscriberId: string; deliveryId: string; reason: string }) {
  await db.execute(sql`
    with bumped as (
      update subscribers set bounce_count = bounce_count + 1 where id = ${subscriberId}::uuid returning id
    )
    insert into consent_events (subscriber_id, kind, details)
    select id, 'bounce', ${JSON.stringify({ deliveryId, reason })}::jsonb from bumped
  `);
}

/**
 * The server has the messages: failing to record that now means second copies once the lease
 * expires. So a lost connection (PostgreSQL restarted, backends cut) is retried for a few
 * seconds, well inside the lease, before the error goes up (chaos scenario 4).
 */
async function recordSent(markSent: () => Promise<unknown>, delaysMs = [100, 250, 500, 1_000, 2_000]) {
  for (const delayMs of delaysMs) {
    try {
      return await markSent();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
  return markSent();
}
