import { findUnsentConfirmations, sendSubscriptionEmail } from '@paperboy/domain';
import { classifySmtpError } from '@paperboy/email';
import type { THandlers } from '@paperboy/queue';
import { UnrecoverableError } from 'bullmq';
import type { TWorkerDeps } from '../deps.ts';

/** Adapts email jobs to `sendSubscriptionEmail`; a 5xx from the SMTP server will not get better with retries. */
export function createEmailHandlers(deps: TWorkerDeps): THandlers<'email'> {
  const send = (job: 'confirmation' | 'manage-preferences') => async ({ subscriberId }: { subscriberId: string }) => {
    try {
      const result = await sendSubscriptionEmail({ deps, job, subscriberId });
      deps.logger.info({ job, subscriberId, outcome: result.outcome }, 'subscription email');
      return result;
    } catch (error) {
      if (classifySmtpError(error) === 'permanent') throw new UnrecoverableError((error as Error).message);
      throw error;
    }
  };
  return { confirmation: send('confirmation'), 'manage-preferences': send('manage-preferences') };
}

const CONFIRMATION_GRACE_MS = 2 * 60_000;

/** Re-queues confirmations Redis lost (see findUnsentConfirmations); job ids dedupe within a grace period. */
export async function sweepUnsentConfirmations(deps: TWorkerDeps) {
  const now = Date.now();
  const { subscriberIds } = await findUnsentConfirmations({
    db: deps.db,
    createdBefore: new Date(now - CONFIRMATION_GRACE_MS),
    createdAfter: new Date(now - deps.config.subscriptions.tokenTtlDays.confirm * 86_400_000),
    limit: 1_000,
  });
  const bucket = Math.floor(now / CONFIRMATION_GRACE_MS);
  await deps.queues.enqueueMany({
    queue: 'email',
    job: 'confirmation',
    items: subscriberIds.map((subscriberId) => ({ payload: { subscriberId }, jobId: `confirmation-${subscriberId}-sweep-${bucket}` })),
  });
}
