import type { TDb } from '@paperboy/db';
import { z } from 'zod';
import { classifySmtpReply, parseEnhancedStatus, type TBounceKind } from './deliverability.classifier.ts';
import type { TEvidenceSource } from './deliverability.repository.ts';
import { findEvidenceSubject, recordBounce, recordComplaint, type TBounceOutcome } from './deliverability.usecases.ts';

// Provider payloads, as Amazon SES (inside an SNS notification) and Postmark document them.
// Only the fields used here are read; the rest passes through unread.

const ZAddress = z.string().trim().min(3).max(320);
const ZWord = z.string().regex(/^[A-Za-z]{1,40}$/, 'must be a single word');

const ZSesMail = z.object({
  messageId: z.string().max(200),
  commonHeaders: z.object({ messageId: z.string().max(300).optional() }).optional(),
});

export const ZSesNotification = z.union([
  z.object({
    notificationType: z.literal('Bounce').optional(),
    eventType: z.literal('Bounce').optional(),
    bounce: z.object({
      bounceType: z.enum(['Undetermined', 'Permanent', 'Transient']),
      bounceSubType: ZWord,
      bouncedRecipients: z
        .array(z.object({ emailAddress: ZAddress, status: z.string().max(32).optional(), diagnosticCode: z.string().max(2000).optional() }))
        .min(1)
        .max(100),
    }),
    mail: ZSesMail,
  }),
  z.object({
    notificationType: z.literal('Complaint').optional(),
    eventType: z.literal('Complaint').optional(),
    complaint: z.object({
      complainedRecipients: z.array(z.object({ emailAddress: ZAddress })).min(1).max(100),
      complaintFeedbackType: z.string().max(40).optional(),
    }),
    mail: ZSesMail,
  }),
  // Deliveries, sends and the rest: acknowledged, nothing to record.
  z
    .object({ notificationType: z.string().max(40).optional(), eventType: z.string().max(40).optional(), mail: ZSesMail })
    .refine((value) => ![value.notificationType, value.eventType].some((type) => type === 'Bounce' || type === 'Complaint'), {
      message: 'a Bounce or Complaint notification must carry its bounce or complaint object',
    }),
]);
export type TSesNotification = z.infer<typeof ZSesNotification>;

// Postmark's older webhook examples carry no RecordType; Type alone then says what happened.
export const ZPostmarkWebhook = z.object({
  RecordType: z.string().max(40).optional(),
  Type: z.string().max(40).optional(),
  Email: ZAddress.optional(),
  Details: z.string().max(4000).optional(),
  MessageID: z.string().max(100).optional(),
});
export type TPostmarkWebhook = z.infer<typeof ZPostmarkWebhook>;

export type TWebhookSettings = { secretKey: string; softBounceLimit: number };
export type TWebhookOutcome = TBounceOutcome | 'unsubscribed' | 'unmatched';

const SES_POLICY_SUBTYPES = new Set(['ContentRejected', 'AttachmentRejected', 'MessageTooLarge']);

/** Applies an SES bounce or complaint: to the delivery its Message-ID names, else to the subscriber with that address. */
export async function applySesNotification({ db, settings, notification }: { db: TDb; settings: TWebhookSettings; notification: TSesNotification }) {
  const messageId = notification.mail.commonHeaders?.messageId;
  const source: TEvidenceSource = 'webhook:ses';
  const outcomes: TWebhookOutcome[] = [];
  if ('bounce' in notification) {
    const { bounceType, bounceSubType, bouncedRecipients } = notification.bounce;
    for (const recipient of bouncedRecipients) {
      const status = parseEnhancedStatus(recipient.status);
      const bounce = status
        ? classifySmtpReply({ enhancedStatus: status, text: recipient.diagnosticCode, phase: 'report' })
        : providerVerdict('ses', bounceSubType, bounceType === 'Permanent' ? (SES_POLICY_SUBTYPES.has(bounceSubType) ? 'policy' : 'hard') : 'soft');
      outcomes.push(await applyBounce({ db, settings, email: recipient.emailAddress, messageId, bounce, source }));
    }
  } else if ('complaint' in notification) {
    const feedbackType = notification.complaint.complaintFeedbackType ?? 'abuse';
    for (const recipient of notification.complaint.complainedRecipients) {
      outcomes.push(await applyComplaint({ db, settings, email: recipient.emailAddress, messageId, source, feedbackType }));
    }
  }
  return { outcomes };
}

// Postmark's bounce types (its "Type" field), by what they say about the address.
const POSTMARK_KINDS: Record<string, TBounceKind> = {
  HardBounce: 'hard',
  BadEmailAddress: 'hard',
  SoftBounce: 'soft',
  Transient: 'soft',
  DnsError: 'soft',
  AutoResponder: 'deferred',
  Blocked: 'policy',
  SpamNotification: 'policy',
  VirusNotification: 'policy',
  DMARCPolicy: 'policy',
};

export async function applyPostmarkWebhook({ db, settings, payload }: { db: TDb; settings: TWebhookSettings; payload: TPostmarkWebhook }) {
  const source: TEvidenceSource = 'webhook:postmark';
  if (!payload.Email) return { outcomes: [] as TWebhookOutcome[] };
  if (payload.RecordType === 'SpamComplaint' || payload.Type === 'SpamComplaint') {
    return { outcomes: [await applyComplaint({ db, settings, email: payload.Email, messageId: undefined, source, feedbackType: 'abuse' })] };
  }
  const isBounce = payload.RecordType === undefined || payload.RecordType === 'Bounce';
  const kind = isBounce && payload.Type ? POSTMARK_KINDS[payload.Type] : undefined;
  if (!kind) return { outcomes: [] as TWebhookOutcome[] };
  const status = parseEnhancedStatus(payload.Details);
  // Postmark's Details usually quotes the receiving server ("smtp;550 5.1.1 ..."): its code is
  // more precise than Postmark's type, but Postmark's type stands for the kind.
  const bounce = status ? { kind, classification: `${status} ${kind}` } : providerVerdict('postmark', payload.Type ?? 'Bounce', kind);
  return { outcomes: [await applyBounce({ db, settings, email: payload.Email, messageId: undefined, bounce, source })] };
}

function providerVerdict(provider: string, type: string, kind: TBounceKind) {
  const word = /^[A-Za-z]{1,40}$/.test(type) ? type : 'other';
  return { kind, classification: `${provider} ${word} ${kind}` };
}

async function subjectFor({ db, settings, email, messageId }: { db: TDb; settings: TWebhookSettings; email: string; messageId: string | undefined }) {
  if (messageId) {
    const { subject } = await findEvidenceSubject({ db, secretKey: settings.secretKey, ref: { messageId } });
    if (subject) return subject;
  }
  return (await findEvidenceSubject({ db, secretKey: settings.secretKey, ref: { email } })).subject;
}

async function applyBounce({
  db,
  settings,
  email,
  messageId,
  bounce,
  source,
}: {
  db: TDb;
  settings: TWebhookSettings;
  email: string;
  messageId: string | undefined;
  bounce: { kind: TBounceKind; classification: string };
  source: TEvidenceSource;
}): Promise<TWebhookOutcome> {
  const subject = await subjectFor({ db, settings, email, messageId });
  if (!subject) return 'unmatched';
  return (await recordBounce({ db, subject, bounce, source, softBounceLimit: settings.softBounceLimit })).outcome;
}

async function applyComplaint({
  db,
  settings,
  email,
  messageId,
  source,
  feedbackType,
}: {
  db: TDb;
  settings: TWebhookSettings;
  email: string;
  messageId: string | undefined;
  source: TEvidenceSource;
  feedbackType: string;
}): Promise<TWebhookOutcome> {
  const subject = await subjectFor({ db, settings, email, messageId });
  if (!subject) return 'unmatched';
  return (await recordComplaint({ db, subject, source, feedbackType: feedbackType.toLowerCase() })).outcome;
}
