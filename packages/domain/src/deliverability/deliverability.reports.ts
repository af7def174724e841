import { simpleParser, type ParsedMail } from 'mailparser';
import { z } from 'zod';

/**
 * Reads what a bounce mailbox receives: RFC 3464 delivery status notifications
 * (multipart/report; report-type=delivery-status) and RFC 5965 ARF complaints
 * (multipart/report; report-type=feedback-report). Everything read from the message is
 * checked with zod; what cannot be read is `unparseable`, never guessed.
 */
export type TMailboxReport =
  | { type: 'dsn'; refs: TReportRefs; recipients: TDsnRecipient[] }
  | { type: 'arf'; refs: TReportRefs; feedbackType: string }
  | { type: 'unparseable'; why: string };

/** What ties a report to the message it is about: VERP addresses seen, and the original Message-ID. */
export type TReportRefs = { verpCandidates: string[]; originalMessageId: string | undefined };

type TDsnRecipient = { action: TDsnAction; status: string; replyCode: number | undefined };

const ZDsnAction = z.enum(['failed', 'delayed', 'delivered', 'relayed', 'expanded']);
type TDsnAction = z.infer<typeof ZDsnAction>;

const ZDsnRecipientFields = z.object({
  action: z.string().trim().toLowerCase().pipe(ZDsnAction),
  status: z
    .string()
    .trim()
    .regex(/^[245]\.\d{1,3}\.\d{1,3}\b/, 'must be an RFC 3463 status')
    .transform((value) => value.split(/\s/)[0]!),
  'diagnostic-code': z.string().optional(),
});

const ZFeedbackFields = z.object({
  'feedback-type': z.string().trim().toLowerCase().regex(/^[a-z-]{1,24}$/, 'must be an ARF feedback type'),
  'original-mail-from': z.string().optional(),
});

const ZMessageId = z.string().trim().regex(/^<[^<>\s]{1,250}>$/);
const MAX_REPORT_BYTES = 2_000_000;

export async function parseMailboxReport(source: Buffer): Promise<TMailboxReport> {
  if (source.length > MAX_REPORT_BYTES) return { type: 'unparseable', why: 'too large' };
  let mail: ParsedMail;
  try {
    mail = await simpleParser(source, { keepDeliveryStatus: true, skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  } catch {
    return { type: 'unparseable', why: 'not a MIME message' };
  }
  const contentType = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (contentType?.value !== 'multipart/report') return { type: 'unparseable', why: 'not a multipart/report' };
  const reportType = contentType.params?.['report-type']?.toLowerCase();
  if (reportType === 'delivery-status') return parseDsn(mail, source);
  if (reportType === 'feedback-report') return parseArf(mail, source);
  return { type: 'unparseable', why: 'unknown report-type' };
}

function parseDsn(mail: ParsedMail, source: Buffer): TMailboxReport {
  const part = mail.attachments.find((attachment) => attachment.contentType === 'message/delivery-status');
  if (!part) return { type: 'unparseable', why: 'no message/delivery-status part' };
  // RFC 3464: one block of per-message fields, then one block per recipient.
  const [, ...recipientBlocks] = part.content.toString('utf8').split(/\r?\n\s*\r?\n/).map(readFields);
  const recipients: TDsnRecipient[] = [];
  for (const block of recipientBlocks) {
    if (Object.keys(block).length === 0) continue;
    const parsed = ZDsnRecipientFields.safeParse(block);
    if (!parsed.success) return { type: 'unparseable', why: 'a recipient block lacks a valid Action or Status' };
    const reply = /^\s*smtp\s*;\s*([245]\d\d)\b/i.exec(parsed.data['diagnostic-code'] ?? '');
    recipients.push({ action: parsed.data.action, status: parsed.data.status, replyCode: reply ? Number(reply[1]) : undefined });
  }
  if (recipients.length === 0) return { type: 'unparseable', why: 'no recipient in the delivery status' };
  const headersPart = mail.attachments.find((attachment) => attachment.contentType === 'text/rfc822-headers');
  const original = readFields(headersPart?.content.toString('utf8') ?? embeddedMessageHeaders(source));
  return {
    type: 'dsn',
    recipients,
    refs: refsFrom({ mail, originalReturnPath: original['return-path'], originalMessageId: original['message-id'] }),
  };
}

function parseArf(mail: ParsedMail, source: Buffer): TMailboxReport {
  const part = mail.attachments.find((attachment) => attachment.contentType === 'message/feedback-report');
  if (!part) return { type: 'unparseable', why: 'no message/feedback-report part' };
  const parsed = ZFeedbackFields.safeParse(readFields(part.content.toString('utf8')));
  if (!parsed.success) return { type: 'unparseable', why: 'no valid Feedback-Type' };
  const original = readFields(embeddedMessageHeaders(source));
  return {
    type: 'arf',
    feedbackType: parsed.data['feedback-type'],
    refs: refsFrom({
      mail,
      originalReturnPath: parsed.data['original-mail-from'] ?? original['return-path'],
      originalMessageId: original['message-id'],
    }),
  };
}

function refsFrom({ mail, originalReturnPath, originalMessageId }: { mail: ParsedMail; originalReturnPath?: string; originalMessageId?: string }): TReportRefs {
  // A DSN goes to the Return-Path of the message that bounced; the receiving server records it
  // in Delivered-To or X-Original-To, and the report's To usually repeats it.
  const headerValues = ['delivered-to', 'x-original-to', 'envelope-to', 'to'].flatMap((name) => headerAddresses(mail, name));
  const candidates = [...headerValues, originalReturnPath ?? ''].map((value) => value.trim().replace(/^<|>$/g, '')).filter(Boolean);
  const messageId = ZMessageId.safeParse(originalMessageId);
  return { verpCandidates: [...new Set(candidates)], originalMessageId: messageId.success ? messageId.data : undefined };
}

function headerAddresses(mail: ParsedMail, name: string): string[] {
  const value = mail.headers.get(name);
  if (typeof value === 'string') return [value];
  const list = (value as { value?: { address?: string; name?: string }[] } | undefined)?.value ?? [];
  return list.flatMap((entry) => [entry.address ?? '', entry.name ?? '']);
}

/** Header fields ("Name: value", with folded lines) as a lower-cased map; the first of each name wins. */
function readFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const unfolded = text.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const match = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (match) fields[match[1]!.toLowerCase()] ??= match[2]!.trim();
  }
  return fields;
}

/**
 * The header block of a message/rfc822 part. mailparser flattens an embedded message into the
 * report's text, so its Message-ID and Return-Path are read from the raw part instead.
 */
function embeddedMessageHeaders(source: Buffer): string {
  const raw = source.toString('utf8');
  const start = /^Content-Type:\s*message\/rfc822[^\n]*\n(?:[ \t][^\n]*\n|[A-Za-z-]+:[^\n]*\n)*\r?\n/im.exec(raw);
  if (!start) return '';
  const rest = raw.slice(start.index + start[0].length);
  return rest.split(/\r?\n\r?\n/)[0] ?? '';
}
