import { classifySmtpError, type TMailer } from '@paperboy/email';
import type { TDb } from '@paperboy/db';
import { sql } from 'drizzle-orm';
import type { TDigestComposer } from './digests.composer.ts';
import { createDigestsRepository } from './digests.repository.ts';

export type TSendOutcome =
  | { outcome: 'sent'; messageId: string }
  | { outcome: 'failed'; reason: string }
  | { outcome: 'skipped'; reason: string };

/** Thrown for a failure worth retrying (4xx, dropped connection): the queue retries with backoff. */
export class TransientSendError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientSendError';
  }
}

/**
 * Sends one digest, exactly once as far as this side can tell: the job re-reads its row and
 * acts only on a delivery it could claim (pending, run sending, subscriber still confirmed);
 * it marks the row sent, with the server's answer and the message id, in the same statement
 * that records the papers as received. A 5xx fails only this delivery (and counts a bounce);
 * a 4xx or a dropped connection gives the row back and asks the queue to retry, up to
 * `maxAttempts` claims in all.
 */
export async function sendDelivery({
  db,
  mailer,
  composer,
  deliveryId,
  now,
  leaseMs,
  maxAttempts,
}: {
  db: TDb;
  mailer: TMailer;
  composer: TDigestComposer;
  deliveryId: string;
  now: Date;
  leaseMs: number;
  maxAttempts: number;
}): Promise<TSendOutcome> {
  const repository = createDigestsRepository({ db });
  const { delivery } = await repository.claimDelivery({ deliveryId, leaseExpiredBefore: new Date(now.getTime() - leaseMs) });
  if (!delivery) return explainSkip({ repository, deliveryId });

  let email;
  try {
    email = await composer.compose(delivery);
  } catch (error) {
    // A digest that cannot be rendered will not render on retry either.
    await repository.markFailed({ deliveryId, error: `render: ${(error as Error).message}` });
    return { outcome: 'failed', reason: (error as Error).message };
  }

  let result;
  try {
    result = await mailer.send(email);
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
    throw new TransientSendError(reason, { cause: error });
  }
  const sent = { deliveryId, messageId: email.messageId ?? result.messageId, smtpResponse: result.response };
  await recordSent(() => repository.markSent(sent));
  return { outcome: 'sent', messageId: email.messageId ?? result.messageId };
}

async function explainSkip({
  repository,
  deliveryId,
}: {
  repository: ReturnType<typeof createDigestsRepository>;
  deliveryId: string;
}): Promise<TSendOutcome> {
  const { delivery } = await repository.getDeliveryState({ deliveryId });
  if (!delivery) return { outcome: 'skipped', reason: 'no such delivery' };
  if (delivery.state === 'pending' && delivery.subscriber_status !== 'confirmed') {
    await repository.cancelDelivery({ deliveryId });
    return { outcome: 'skipped', reason: `subscriber is ${delivery.subscriber_status}` };
  }
  if (delivery.state === 'pending' && delivery.run_state !== 'sending') {
    return { outcome: 'skipped', reason: `run is ${delivery.run_state}` };
  }
  return { outcome: 'skipped', reason: `delivery is ${delivery.state}` };
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
 * The server has the message: failing to record that now means a second copy once the lease
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
