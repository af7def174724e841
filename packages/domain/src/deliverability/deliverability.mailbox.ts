import type { TDb } from '@paperboy/db';
import { ImapFlow } from 'imapflow';
import { classifySmtpReply, type TSmtpClassification } from './deliverability.classifier.ts';
import { createDeliverabilityRepository, type TEvidenceSubject } from './deliverability.repository.ts';
import { parseMailboxReport, type TMailboxReport, type TReportRefs } from './deliverability.reports.ts';
import { recordBounce, recordComplaint } from './deliverability.usecases.ts';
import { parseVerpAddress } from './deliverability.verp.ts';

export type TMailboxSettings = {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  mailbox: string;
  processedMailbox: string;
};

export type TReportSettings = { secretKey: string; bounceDomain: string | undefined; softBounceLimit: number };

export type TReportOutcome = 'bounce-recorded' | 'complaint-recorded' | 'duplicate' | 'not-a-failure' | 'not-a-complaint' | 'unmatched';

/** What one poll did, by message UID; never an address, so it can be logged as is. */
export type TMailboxPoll = {
  processed: { uid: number; outcome: TReportOutcome; classification?: string }[];
  unparseable: { uid: number; why: string }[];
};

// Unparseable messages stay where they are for a person to read, marked so the next poll skips them.
const UNPARSEABLE_KEYWORD = '$PaperboyUnparseable';
const MAX_MESSAGES_PER_POLL = 500;
const SEVERITY = { hard: 0, soft: 1, policy: 2, transport: 3, deferred: 4 } as const;

/** Applies one parsed report: finds the delivery it is about and records the bounce or the complaint. */
export async function applyMailboxReport({
  db,
  settings,
  report,
}: {
  db: TDb;
  settings: TReportSettings;
  report: Exclude<TMailboxReport, { type: 'unparseable' }>;
}): Promise<{ outcome: TReportOutcome; classification?: string }> {
  if (report.type === 'arf' && !['abuse', 'fraud', 'other'].includes(report.feedbackType)) return { outcome: 'not-a-complaint' };
  const failures = report.type === 'dsn' ? report.recipients.filter((recipient) => recipient.action === 'failed') : [];
  if (report.type === 'dsn' && failures.length === 0) return { outcome: 'not-a-failure' };
  const { subject } = await subjectOfReport({ db, settings, refs: report.refs });
  if (!subject) return { outcome: 'unmatched' };
  if (report.type === 'arf') {
    const { outcome } = await recordComplaint({ db, subject, source: 'arf', feedbackType: report.feedbackType });
    return { outcome: outcome === 'duplicate' ? 'duplicate' : 'complaint-recorded', classification: `complaint ${report.feedbackType}` };
  }
  // One message, one recipient: when a report lists several, the worst verdict stands.
  const verdicts: TSmtpClassification[] = failures.map((failure) =>
    classifySmtpReply({ enhancedStatus: failure.status, replyCode: failure.replyCode, phase: 'report' }),
  );
  const worst = verdicts.sort((a, b) => SEVERITY[a.kind] - SEVERITY[b.kind])[0]!;
  const { outcome } = await recordBounce({ db, subject, bounce: worst, source: 'dsn', softBounceLimit: settings.softBounceLimit });
  return { outcome: outcome === 'duplicate' ? 'duplicate' : 'bounce-recorded', classification: worst.classification };
}

const CONFIRMATION_MESSAGE_ID = /^<(?:confirmation|manage-preferences)-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-\d+@/i;

async function subjectOfReport({ db, settings, refs }: { db: TDb; settings: TReportSettings; refs: TReportRefs }): Promise<{ subject?: TEvidenceSubject }> {
  const repository = createDeliverabilityRepository({ db });
  const { bounceDomain, secretKey } = settings;
  for (const candidate of bounceDomain ? refs.verpCandidates : []) {
    const deliveryId = parseVerpAddress({ address: candidate, secretKey, bounceDomain: bounceDomain! });
    if (deliveryId) return repository.subjectOfDelivery({ deliveryId });
  }
  if (!refs.originalMessageId) return {};
  const byMessageId = await repository.subjectOfMessageId({ messageId: refs.originalMessageId });
  if (byMessageId.subject) return byMessageId;
  // Confirmation and preference mails have no delivery row; their Message-ID names the subscriber.
  const subscriberId = CONFIRMATION_MESSAGE_ID.exec(refs.originalMessageId)?.[1];
  return subscriberId ? repository.subjectOfSubscriber({ subscriberId }) : {};
}

/**
 * Reads every new message in the bounce mailbox once. A report is applied in the database first
 * and only then moved to the processed mailbox: a crash in between means the next poll applies it
 * again, which records nothing new (a delivery's bounce and complaint are recorded once), so
 * nothing is lost and nothing counts twice.
 */
export async function pollBounceMailbox({ db, mailbox, settings }: { db: TDb; mailbox: TMailboxSettings; settings: TReportSettings }): Promise<TMailboxPoll> {
  const client = new ImapFlow({
    host: mailbox.host,
    port: mailbox.port,
    secure: mailbox.secure,
    auth: { user: mailbox.user, pass: mailbox.password },
    logger: false,
  });
  const result: TMailboxPoll = { processed: [], unparseable: [] };
  await client.connect();
  try {
    await ensureMailbox(client, mailbox.processedMailbox);
    const lock = await client.getMailboxLock(mailbox.mailbox);
    try {
      // Bounded per poll, so one poll of a flooded mailbox ends; the next takes the rest.
      const uids = ((await client.search({ unKeyword: UNPARSEABLE_KEYWORD }, { uid: true })) || []).slice(0, MAX_MESSAGES_PER_POLL);
      for (const uid of uids) {
        const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
        const report = message && message.source ? await parseMailboxReport(message.source) : ({ type: 'unparseable', why: 'no source' } as const);
        if (report.type === 'unparseable') {
          await client.messageFlagsAdd(String(uid), [UNPARSEABLE_KEYWORD], { uid: true });
          result.unparseable.push({ uid, why: report.why });
          continue;
        }
        const applied = await applyMailboxReport({ db, settings, report });
        await client.messageMove(String(uid), mailbox.processedMailbox, { uid: true });
        result.processed.push({ uid, ...applied });
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return result;
}

async function ensureMailbox(client: ImapFlow, path: string) {
  const list = await client.list();
  if (!list.some((entry) => entry.path === path)) await client.mailboxCreate(path);
}
