import type { TConfig } from '@paperboy/config';
import type { TDb } from '@paperboy/db';
import { createMessageSkeleton, type TMailer, type TMessageSkeleton, type TTransactionalTemplates } from '@paperboy/email';
import { createDeliverabilityRepository } from '../deliverability/deliverability.repository.ts';
import { createSubscribersRepository, type TSubscriberRow } from './subscriptions.repository.ts';
import type { TSubscriptionEmailJob } from './subscriptions.usecases.ts';
import { confirmUrl, subscriberLinks } from './subscriptions.tokens.ts';

export type TSubscriptionEmailDeps = {
  db: TDb;
  mailer: TMailer;
  templates: TTransactionalTemplates;
  /** Built once per process with createSubscriptionEmailSkeletons, beside the compiled templates. */
  subscriptionSkeletons: TSubscriptionEmailSkeletons;
  config: Pick<TConfig, 'server' | 'security' | 'mail' | 'subscriptions'>;
};

export type TSubscriptionEmailResult =
  | { outcome: 'sent'; messageId: string }
  | { outcome: 'skipped'; reason: 'not_found' | 'not_applicable' | 'recently_sent' | 'suppressed' };

// Who may get which message: a confirmation only while the address waits for one, the
// "manage your preferences" note only to confirmed subscribers. Never after unsubscribe or erase.
const STATUS_FOR: Record<TSubscriptionEmailJob, TSubscriberRow['status']> = {
  confirmation: 'pending',
  'manage-preferences': 'confirmed',
};

const SUBJECTS: Record<TSubscriptionEmailJob, string> = {
  confirmation: 'Confirm your Paperboy subscription',
  'manage-preferences': 'Your Paperboy subscription',
};

export type TSubscriptionEmailSkeletons = Record<TSubscriptionEmailJob, TMessageSkeleton>;

/** The fixed part of each subscription message, built once by the process that sends them. */
export function createSubscriptionEmailSkeletons({ from }: { from: string }): TSubscriptionEmailSkeletons {
  // Both messages already offer an unsubscribe link; mail clients get the RFC 8058 one-click too.
  const headers = { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
  return { confirmation: createMessageSkeleton({ from, headers }), 'manage-preferences': createMessageSkeleton({ from, headers }) };
}

/**
 * Sends one confirmation or manage-preferences message, if the subscriber's row still calls for
 * it. Claiming the row (last_confirmation_sent_at) before sending is what limits an address to
 * one such message per interval however many signups and jobs there were; a failed send gives
 * the claim back so the job's retry can send.
 */
export async function sendSubscriptionEmail({
  deps,
  job,
  subscriberId,
  now = new Date(),
}: {
  deps: TSubscriptionEmailDeps;
  job: TSubscriptionEmailJob;
  subscriberId: string;
  now?: Date;
}): Promise<TSubscriptionEmailResult> {
  const { db, mailer, templates, subscriptionSkeletons, config } = deps;
  const repository = createSubscribersRepository({ db });
  const { subscriber: current } = await repository.findById({ id: subscriberId });
  if (!current) return { outcome: 'skipped', reason: 'not_found' };
  if (current.status !== STATUS_FOR[job] || current.email === null) return { outcome: 'skipped', reason: 'not_applicable' };
  if (await createDeliverabilityRepository({ db }).isSuppressed({ emailHash: current.emailHash })) return { outcome: 'skipped', reason: 'suppressed' };

  const claim = await repository.claimConfirmationSend({
    id: subscriberId,
    status: STATUS_FOR[job],
    now,
    intervalMs: config.subscriptions.confirmationResendMs,
  });
  const subscriber = claim.subscriber;
  if (!subscriber?.email) return { outcome: 'skipped', reason: 'recently_sent' };

  const { topicNames } = await repository.getChoices({ subscriberId });
  const { publicUrl } = config.server;
  const { secretKey } = config.security;
  const links = subscriberLinks({ publicUrl, secretKey, subscriberId, tokenTtlDays: config.subscriptions.tokenTtlDays, now });
  const footer = {
    ...links,
    footerNote: `You get this because this address was entered on the Paperboy signup form at ${publicUrl}.`,
    postalAddress: config.mail.postalAddress,
  };
  const common = { frequency: subscriber.frequency, topicList: topicNames.join(', ') || 'your keywords' };
  const rendered =
    job === 'confirmation'
      ? templates.confirmation({
          ...footer,
          ...common,
          confirmUrl: confirmUrl({ publicUrl, secretKey, subscriberId, ttlDays: config.subscriptions.tokenTtlDays.confirm, now }),
        })
      : templates['manage-preferences']({ ...footer, ...common });

  try {
    const message = subscriptionSkeletons[job].compose({
      to: subscriber.email,
      subject: SUBJECTS[job],
      html: rendered.html,
      text: rendered.text,
      messageId: `<${job}-${subscriberId}-${now.getTime()}@${new URL(publicUrl).hostname}>`,
      listUnsubscribe: [links.unsubscribeUrl],
    });
    const result = await mailer.send(message);
    return { outcome: 'sent', messageId: result.messageId };
  } catch (error) {
    await repository.releaseConfirmationSend({ id: subscriberId, claimedAt: now, previous: claim.previous });
    throw error;
  }
}
