import { pollBounceMailbox } from '@paperboy/domain';
import type { TQueues } from '@paperboy/queue';
import type { TConfig } from '@paperboy/config';
import type { TWorkerDeps } from '../deps.ts';

const BOUNCE_MAILBOX_SCHEDULER_ID = 'bounce-mailbox';

/** Polls the bounce mailbox every BOUNCE_IMAP_POLL_SECONDS while BOUNCE_IMAP_URL is set; removes the schedule otherwise. */
export async function scheduleBounceMailbox({ queues, config }: { queues: TQueues; config: TConfig }) {
  const queue = queues.get('deliverability');
  const { imap } = config.deliverability;
  if (!imap) {
    await queue.removeJobScheduler(BOUNCE_MAILBOX_SCHEDULER_ID);
    return;
  }
  await queue.upsertJobScheduler(BOUNCE_MAILBOX_SCHEDULER_ID, { every: imap.pollMs }, { name: 'bounce-mailbox', data: {} });
}

/** One poll; the result names messages by UID only, so it is logged as is. */
export async function runBounceMailboxPoll(deps: Pick<TWorkerDeps, 'config' | 'db' | 'logger'>) {
  const { imap, bounceDomain, softBounceLimit } = deps.config.deliverability;
  if (!imap) return;
  const result = await pollBounceMailbox({
    db: deps.db,
    mailbox: imap,
    settings: { secretKey: deps.config.security.secretKey, bounceDomain, softBounceLimit },
  });
  if (result.unparseable.length > 0) deps.logger.warn({ unparseable: result.unparseable }, 'bounce mailbox: messages left unread for a person to look at');
  if (result.processed.length > 0) deps.logger.info({ processed: result.processed }, 'bounce mailbox: reports applied');
}
