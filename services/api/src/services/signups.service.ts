import type { TConfig } from '@paperboy/config';
import type { TDatabase } from '@paperboy/db';
import { signup, type TRequestOrigin, type TSignupInput } from '@paperboy/domain';
import type { TQueues } from '@paperboy/queue';

export type TSignupService = ReturnType<typeof createSignupService>;

/** Signups, from the form and from the JSON API alike; the confirmation goes out through the email queue. */
export function createSignupService({ db, queues, config }: { db: TDatabase; queues: TQueues; config: TConfig }) {
  return {
    signup: ({ input, origin }: { input: TSignupInput; origin: TRequestOrigin }) =>
      signup({
        db,
        secretKey: config.security.secretKey,
        confirmationResendMs: config.subscriptions.confirmationResendMs,
        enqueueEmail: ({ job, subscriberId, jobId }) => queues.enqueue({ queue: 'email', job, payload: { subscriberId }, jobId }),
        input,
        origin,
      }),
  };
}
