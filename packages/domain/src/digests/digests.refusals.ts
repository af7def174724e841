import type { TDb } from '@paperboy/db';
import type { TMailer } from '@paperboy/email';
import { classifySendError } from '../deliverability/deliverability.classifier.ts';
import { recordBounce } from '../deliverability/deliverability.usecases.ts';
import type { TDigestComposer } from './digests.composer.ts';
import type { TClaimedDelivery, TSentDelivery } from './digests.deliveries.repository.ts';
import type { TDigestsRepository } from './digests.repository.ts';

/** What one delivery came to. `transport`: our relay refused us, and the run must pause. */
export type TOneOutcome = { outcome: 'sent'; sent: TSentDelivery } | { outcome: 'failed' | 'retry' | 'transport'; reason: string };

export type TSendOneDeps = {
  db: TDb;
  repository: TDigestsRepository;
  mailer: TMailer;
  composer: TDigestComposer;
  maxAttempts: number;
  softBounceLimit: number;
  /** The envelope sender (VERP) for a delivery; the From address when not given. */
  returnPathFor?: (deliveryId: string) => string;
};

/**
 * Composes and sends one claimed delivery. An accepted message is returned for the group
 * commit to record; a refusal is recorded here, by what it says (see handleRefusal).
 */
export async function sendOne(deps: TSendOneDeps, delivery: TClaimedDelivery): Promise<TOneOutcome> {
  const { repository, mailer, composer, returnPathFor } = deps;
  let message;
  try {
    message = await composer.composeMessage(delivery, { envelopeFrom: returnPathFor?.(delivery.id) });
  } catch (error) {
    // A digest that cannot be rendered will not render on retry either.
    const reason = `render: ${(error as Error).message}`;
    await repository.markFailed({ deliveryId: delivery.id, error: reason });
    return { outcome: 'failed', reason };
  }
  try {
    const result = await mailer.send(message);
    return { outcome: 'sent', sent: { deliveryId: delivery.id, messageId: result.messageId, smtpResponse: result.response } };
  } catch (error) {
    return handleRefusal(deps, delivery, error);
  }
}

/**
 * Classifies a failed send by its enhanced status code, reply code and phase (never by the first
 * digit alone) and stores only the classification ("5.1.1 hard"): the server's text usually
 * quotes the address.
 * - hard (no such mailbox): failed, and the address is suppressed at once;
 * - soft (mailbox full) and policy (refused as spam): failed when permanent, and counted; soft
 *   counts towards the subscriber's limit in a row, policy only towards the run's rate;
 * - transport, permanent (our relay refused us: 530, 535, 554 at the greeting): given back,
 *   nothing counted, and the caller pauses the run; a temporary one (421) is retried;
 * - anything temporary: given back for the job's retry, up to `maxAttempts` claims.
 */
async function handleRefusal(deps: TSendOneDeps, delivery: TClaimedDelivery, error: unknown): Promise<TOneOutcome> {
  const { db, repository, maxAttempts, softBounceLimit } = deps;
  const verdict = classifySendError(error);
  const reason = verdict.classification;
  const deliveryId = delivery.id;
  if (verdict.kind === 'transport' && verdict.isPermanent) {
    await repository.releaseDelivery({ deliveryId, error: reason });
    return { outcome: 'transport', reason };
  }
  // A temporary refusal from our relay (421 busy, 454) is retried like any other.
  const isFinal = verdict.isPermanent && verdict.kind !== 'deferred' && verdict.kind !== 'transport';
  if (!isFinal && delivery.attempts < maxAttempts) {
    await repository.releaseDelivery({ deliveryId, error: reason });
    return { outcome: 'retry', reason };
  }
  await repository.markFailed({ deliveryId, error: isFinal ? reason : `gave up after ${delivery.attempts} attempts: ${reason}` });
  // A mailbox that stayed full through every attempt is one soft bounce; a run of network
  // trouble is nobody's bounce.
  if (verdict.kind !== 'deferred' && verdict.kind !== 'transport') {
    await recordBounce({ db, subject: { subscriberId: delivery.subscriberId, deliveryId }, bounce: verdict, source: 'smtp', softBounceLimit });
  }
  return { outcome: 'failed', reason };
}
