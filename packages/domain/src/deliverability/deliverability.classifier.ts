/**
 * What an SMTP refusal (or a bounce report's Status field) says about the address, the message
 * and the sending server, by RFC 3463 enhanced status code, reply code and the phase it came in.
 *
 * - `hard`: the mailbox does not exist or is disabled for good; suppress the address at once.
 * - `soft`: the mailbox exists but cannot take mail now (full, over quota, its server in
 *   trouble); counts towards SOFT_BOUNCE_LIMIT in a row.
 * - `policy`: the receiver refused this message (spam filter, content, reputation); not the
 *   address's fault, counted per run only.
 * - `transport`: our own relay refused us (authentication, closing, a greeting refusal); the run
 *   pauses with the reason and nothing is held against any subscriber.
 * - `deferred`: temporary trouble not tied to the address (a dropped connection, a local error
 *   at the relay); retried, counted nowhere.
 *
 * `classification` is the only thing worth storing: the code and the kind ("5.1.1 hard"), never
 * the server's text, which often quotes the address.
 */
export type TBounceKind = 'hard' | 'soft' | 'policy' | 'transport' | 'deferred';

/** Where in the SMTP dialogue the reply came; `report` is a bounce report (DSN) after acceptance. */
export type TSmtpPhase = 'connection' | 'greeting' | 'auth' | 'mail' | 'rcpt' | 'data' | 'report';

export type TSmtpClassification = {
  kind: TBounceKind;
  /** RFC 3463 status ("5.1.1") when one was given or could be read from the reply text. */
  status: string | undefined;
  replyCode: number | undefined;
  /** True for 5xx / 5.x.x: sending the same message again will not help. */
  isPermanent: boolean;
  /** Short and free of personal data: "5.1.1 hard", "550 policy", "network deferred". */
  classification: string;
};

const ENHANCED = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;

/** Reads an RFC 3463 code ("5.1.1") from a reply or Status text; undefined when there is none. */
export function parseEnhancedStatus(text: string | undefined): string | undefined {
  const match = text ? ENHANCED.exec(text) : null;
  return match ? `${match[1]}.${Number(match[2])}.${Number(match[3])}` : undefined;
}

// Replies that mean our relay will not take mail from us at all, whatever the recipient.
const TRANSPORT_REPLIES = new Set([421, 530, 534, 535, 538]);
const RECIPIENT_PHASES = new Set<TSmtpPhase>(['rcpt', 'data', 'report']);

export function classifySmtpReply({
  replyCode,
  enhancedStatus,
  text,
  phase,
}: {
  replyCode?: number;
  /** Given directly (a DSN's Status field) or read from `text`. */
  enhancedStatus?: string;
  text?: string;
  phase: TSmtpPhase;
}): TSmtpClassification {
  const status = parseEnhancedStatus(enhancedStatus) ?? parseEnhancedStatus(text);
  const isPermanent = status ? status.startsWith('5.') : (replyCode ?? 0) >= 500;
  const kind = kindOf({ replyCode, status, isPermanent, phase });
  const code = status ?? (replyCode === undefined ? 'unknown' : String(replyCode));
  return { kind, status, replyCode, isPermanent, classification: `${code} ${kind}` };
}

function kindOf({ replyCode, status, isPermanent, phase }: { replyCode?: number; status?: string; isPermanent: boolean; phase: TSmtpPhase }): TBounceKind {
  if (replyCode !== undefined && TRANSPORT_REPLIES.has(replyCode)) return 'transport';
  if (phase === 'connection' || phase === 'greeting' || phase === 'auth') return 'transport';
  if (phase === 'mail') return status?.startsWith('4.') || (!status && !isPermanent) ? 'deferred' : 'transport';
  if (!status) return kindFromReplyCode(replyCode ?? 0, phase);
  const [, subject = '', detail = ''] = status.split('.');
  return kindFromStatus({ subject: Number(subject), detail: Number(detail), isPermanent, phase });
}

/**
 * RFC 3463 classes, for a reply about a recipient (RCPT, DATA or a later report):
 * X.1 addressing, X.2 mailbox, X.3 mail system, X.4 network and routing, X.5 protocol,
 * X.6 content, X.7 security and policy; X.0 is undefined.
 */
function kindFromStatus({ subject, detail, isPermanent, phase }: { subject: number; detail: number; isPermanent: boolean; phase: TSmtpPhase }): TBounceKind {
  switch (subject) {
    case 1:
      // 5.1.7 and 5.1.8 are about our sender address, not the recipient.
      if (detail === 7 || detail === 8) return 'transport';
      return isPermanent ? 'hard' : 'soft';
    case 2:
      if (detail === 2) return 'soft';
      if (detail === 3) return 'policy';
      return isPermanent && detail === 1 ? 'hard' : 'soft';
    case 3:
      // 5.3.4: this message is too big for the receiver; the address is fine.
      if (detail === 4) return 'policy';
      return isPermanent || phase === 'report' ? 'soft' : 'deferred';
    case 4:
      // 5.4.4: the destination cannot be routed to at all (no such domain).
      if (isPermanent && detail === 4) return 'hard';
      return isPermanent || phase === 'report' ? 'soft' : 'deferred';
    case 5:
      if (phase === 'rcpt') return isPermanent ? 'hard' : 'soft';
      return isPermanent ? 'transport' : 'deferred';
    case 6:
    case 7:
      return 'policy';
    default:
      return kindFromReplyCode(isPermanent ? 550 : 450, phase);
  }
}

/** Without an enhanced code the reply code and phase must do. */
function kindFromReplyCode(replyCode: number, phase: TSmtpPhase): TBounceKind {
  if (!RECIPIENT_PHASES.has(phase)) return replyCode >= 500 ? 'transport' : 'deferred';
  if (phase === 'data') return replyCode >= 500 ? 'policy' : 'deferred';
  if (replyCode === 552 || replyCode === 452) return 'soft';
  if (replyCode === 554) return 'policy';
  if (replyCode >= 500) return 'hard';
  return 'soft';
}

// nodemailer names the command that failed; these map it to a phase of the dialogue.
const PHASE_OF_COMMAND: [RegExp, TSmtpPhase][] = [
  [/^CONN/, 'connection'],
  [/^(EHLO|HELO|LHLO|STARTTLS|GREETING)/, 'greeting'],
  [/^AUTH/, 'auth'],
  [/^MAIL/, 'mail'],
  [/^RCPT/, 'rcpt'],
  [/^(DATA|MESSAGE|BDAT)/, 'data'],
];

/**
 * Classifies an error thrown by the mailer (nodemailer's `responseCode`, `response`, `command`,
 * `code`). Errors with no reply at all are a dropped or refused connection: `deferred`, except an
 * authentication failure, which is `transport`.
 */
export function classifySendError(error: unknown): TSmtpClassification {
  const { responseCode, response, command, code } = (error ?? {}) as { responseCode?: number; response?: string; command?: string; code?: string };
  if (typeof responseCode !== 'number') {
    const kind: TBounceKind = code === 'EAUTH' ? 'transport' : 'deferred';
    return { kind, status: undefined, replyCode: undefined, isPermanent: kind === 'transport', classification: `${kind === 'transport' ? 'auth' : 'network'} ${kind}` };
  }
  const upper = (command ?? '').toUpperCase();
  const phase = PHASE_OF_COMMAND.find(([pattern]) => pattern.test(upper))?.[1] ?? (code === 'EENVELOPE' ? 'rcpt' : 'data');
  return classifySmtpReply({ replyCode: responseCode, text: response, phase });
}

/** The pause reason for a run whose relay refused us (`transport`): what happened and what to check. */
export function transportPauseReason(verdict: TSmtpClassification): string {
  const check =
    verdict.replyCode === 530 || verdict.replyCode === 535 || verdict.classification.startsWith('auth')
      ? 'Check the user and password in SMTP_URL'
      : verdict.status === '5.1.7' || verdict.status === '5.1.8'
        ? 'Check MAIL_FROM and BOUNCE_DOMAIN: the relay refuses our sender address'
        : 'Check the SMTP relay and its limits';
  return `The SMTP relay refused to take mail (${verdict.classification}). ${check}, then resume the run. No subscriber was counted as bounced.`;
}
