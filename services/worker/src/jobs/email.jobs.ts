import { classifySendError, findUnsentConfirmations, sendSubscriptionEmail } from '@paperboy/domain';
import { HeaderInjectionError, type TMailer } from '@paperboy/email';
import type { THandlers } from '@paperboy/queue';
import { UnrecoverableError } from 'bullmq';
import type { TWorkerDeps } from '../deps.ts';

type TEmailJob = 'confirmation' | 'manage-preferences';

/**
 * Adapts email jobs to `sendSubscriptionEmail`; a permanent refusal will not get better with
 * retries. `mailerFor` gives each kind its own mailer (the runtime counts emails by kind).
 */
export function createEmailHandlers(deps: TWorkerDeps & { mailerFor?: (job: TEmailJob) => TMailer }): THandlers<'email'> {
  const send = (job: TEmailJob) => {
    const jobDeps = { ...deps, mailer: deps.mailerFor?.(job) ?? deps.mailer };
    return async ({ subscriberId }: { subscriberId: string }) => sendOne({ deps: jobDeps, job, subscriberId });
  };
  return { confirmation: send('confirmation'), 'manage-preferences': send('manage-preferences') };
}

async function sendOne({ deps, job, subscriberId }: { deps: TWorkerDeps; job: TEmailJob; subscriberId: string }) {
  try {
    const result = await sendSubscriptionEmail({ deps, job, subscriberId });
    deps.logger.info({ job, subscriberId, outcome: result.outcome }, 'subscription email');
    return result;
  } catch (error) {
    throw toJobError(error);
  }
}

/**
 * An SMTP failure becomes its classification ("5.1.1 hard"): the job's failure reason is kept in
 * Redis, and the server's text usually quotes the address. Permanent refusals of this message
 * are final; our relay refusing us (AUTH, greeting) and anything temporary are retried.
 */
function toJobError(error: unknown): unknown {
  if (error instanceof HeaderInjectionError) return new UnrecoverableError(error.message);
  const { responseCode, code } = error as { responseCode?: unknown; code?: unknown };
  const isSmtp = typeof responseCode === 'number' || (typeof code === 'string' && /^E[A-Z]+$/.test(code));
  if (!isSmtp) return error;
  const verdict = classifySendError(error);
  return verdict.isPermanent && verdict.kind !== 'transport' ? new UnrecoverableError(`SMTP ${verdict.classification}`) : new Error(`SMTP ${verdict.classification}`);
}

const CONFIRMATION_GRACE_MS = 2 * 60_000;

/** Re-queues confirmations Redis lost (see findUnsentConfirmations); job ids dedupe within a grace period. */
export async function sweepUnsentConfirmations(deps: Pick<TWorkerDeps, 'config' | 'db' | 'queues'>) {
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
