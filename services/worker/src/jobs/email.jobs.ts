import { sendSubscriptionEmail } from '@paperboy/domain';
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
