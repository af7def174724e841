import { createGroupCommit, type TGroupCommit } from '../shared/group-commit.ts';
import { sendOne, type TSendOneDeps } from './digests.refusals.ts';
import type { TSentDelivery } from './digests.deliveries.repository.ts';
import { createDigestsRepository } from './digests.repository.ts';

type TDeliveryFailure = { deliveryId: string; reason: string };

export type TBatchOutcome = {
  sent: number;
  failed: TDeliveryFailure[];
  /** Not claimed: already sent by another attempt, run not sending, or subscriber gone (those are cancelled). */
  skipped: number;
  cancelled: number;
  /** Given back after a temporary refusal or a dropped connection, for the job's retry to claim again. */
  retrying: TDeliveryFailure[];
  /** Set when our own relay refused us (AUTH, greeting): the run was paused with this reason. */
  pausedFor?: string;
};

/** Thrown for a failure worth retrying (4xx, dropped connection): the queue retries with backoff. */
export class TransientSendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientSendError';
  }
}

type TGroupContext = TSendOneDeps & { runIdOf: Map<string, string>; leaseMs: number; marks: TGroupCommit<TSentDelivery>; outcome: TBatchOutcome };

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
 * A refusal is classified (see handleRefusal): a permanent one fails only its delivery; a
 * temporary one gives the row back, and the batch ends in a TransientSendError so the queue
 * retries the job with backoff; the retry claims only the rows given back, up to `maxAttempts`
 * claims each. When our own relay refuses us, the run is paused with that reason and the batch
 * stops: its rows stay pending for the resume. A database error stops the batch and fails the
 * job: the later groups were never claimed, and a group whose papers could not be loaded is
 * given back at once.
 */
export async function sendDeliveries({
  deliveryIds,
  inFlight,
  leaseMs,
  ...deps
}: Omit<TSendOneDeps, 'repository'> & {
  deliveryIds: string[];
  leaseMs: number;
  /** Deliveries claimed, rendered and handed to the mailer at once. */
  inFlight: number;
}): Promise<TBatchOutcome> {
  const repository = createDigestsRepository({ db: deps.db });
  const outcome: TBatchOutcome = { sent: 0, failed: [], skipped: 0, cancelled: 0, retrying: [] };
  const marks = createGroupCommit((sent: TSentDelivery[]) => recordSent(() => repository.markSent({ sent })));
  const context: TGroupContext = { ...deps, repository, runIdOf: new Map(), leaseMs, marks, outcome };
  try {
    for (let start = 0; start < deliveryIds.length && !outcome.pausedFor; start += inFlight) {
      await sendGroup(context, deliveryIds.slice(start, start + inFlight));
    }
  } finally {
    await marks.settle();
  }
  if (outcome.retrying.length > 0 && !outcome.pausedFor) {
    const [first] = outcome.retrying;
    throw new TransientSendError(`${outcome.retrying.length} deliveries will be retried; first: ${first?.reason}`);
  }
  return outcome;
}

async function sendGroup(context: TGroupContext, deliveryIds: string[]) {
  const { repository, composer, marks, outcome } = context;
  const { claimed } = await repository.claimDeliveries({ deliveryIds, leaseExpiredBefore: new Date(Date.now() - context.leaseMs) });
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
  let transport: { runId: string; reason: string } | undefined;
  await Promise.all(
    claimed.map(async (delivery) => {
      try {
        const result = await sendOne(context, delivery);
        if (result.outcome === 'sent') {
          marks.add(result.sent);
          outcome.sent += 1;
        } else if (result.outcome === 'failed') {
          outcome.failed.push({ deliveryId: delivery.id, reason: result.reason });
        } else {
          outcome.retrying.push({ deliveryId: delivery.id, reason: result.reason });
          if (result.outcome === 'transport') transport ??= { runId: delivery.runId, reason: result.reason };
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
  if (transport) await pauseForTransport(context, transport);
}

/** Our relay refused us: no subscriber is at fault, and every other send would fail the same way. */
async function pauseForTransport({ repository, outcome }: TGroupContext, { runId, reason }: { runId: string; reason: string }) {
  // Another batch may have paused the run already; either way it is no longer sending.
  await repository.transitionRun({ runId, from: ['sending'], to: 'paused', set: { pauseReason: `SMTP relay refused us: ${reason}` } });
  outcome.pausedFor = reason;
}

/**
 * The server has the messages: failing to record that now means second copies once the lease
 * expires. So a lost connection (PostgreSQL restarted, backends cut) is retried for a few
 * seconds, well inside the lease, before the error goes up (the chaos suite cuts PostgreSQL's
 * connections mid-run to check it).
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
