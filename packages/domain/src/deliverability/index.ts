/**
 * Bounces, complaints and the suppression list. For the send path:
 *
 * - Envelope sender: when `config.deliverability.bounceDomain` is set, send each digest with
 *   `envelope.from = verpAddress({ deliveryId, secretKey, bounceDomain })` (the From header
 *   stays MAIL_FROM), so bounce reports name their delivery.
 * - A refused send: `const verdict = classifySendError(error)`, then by `verdict.kind`:
 *   `transport` pause the run (`pauseRun`) with `transportPauseReason(verdict)` and give the
 *   row back; `deferred` retry as for any transient failure; `hard`, `soft`, `policy` call
 *   `recordBounce({ db, subject: { subscriberId, deliveryId }, bounce: verdict, source: 'smtp',
 *   softBounceLimit })` once the delivery has failed for good (repeated calls for one delivery
 *   count once). Store `verdict.classification` in `last_error`, not the server's text, which
 *   often quotes the address.
 * - A successful send needs no call: the soft-bounce streak is read from the deliveries, and a
 *   delivery that left without bouncing ends it.
 * - Suppressed addresses are already left out by planning, the claim and the confirmation mail.
 */
export { classifySendError, classifySmtpReply, parseEnhancedStatus, transportPauseReason } from './deliverability.classifier.ts';
export type { TBounceKind, TSmtpClassification, TSmtpPhase } from './deliverability.classifier.ts';
export type { TEvidenceSource, TEvidenceSubject, TSuppressionReason } from './deliverability.repository.ts';
export {
  findEvidenceSubject,
  liftSuppression,
  listSuppressions,
  recordBounce,
  recordComplaint,
  suppressAddress,
  suppressionNotFoundError,
} from './deliverability.usecases.ts';
export type { TBounceOutcome, TEvidenceRef, TSuppressionView } from './deliverability.usecases.ts';
export { bounceRateBreach, MIN_EVENTS_TO_PAUSE, runBounceStats, runRateLimits } from './deliverability.rates.ts';
export type { TRunBounceStats, TRunRateLimits } from './deliverability.rates.ts';
export { parseVerpAddress, verpAddress } from './deliverability.verp.ts';
export { applyMailboxReport, pollBounceMailbox } from './deliverability.mailbox.ts';
export type { TMailboxPoll, TMailboxSettings, TReportOutcome, TReportSettings } from './deliverability.mailbox.ts';
export { parseMailboxReport } from './deliverability.reports.ts';
export type { TMailboxReport } from './deliverability.reports.ts';
export { createSnsHttpsGet, createSnsVerifier, isAllowedSnsUrl, snsCanonicalString, ZSnsMessage } from './deliverability.sns.ts';
export type { TSnsHttpsGet, TSnsMessage, TSnsVerifier } from './deliverability.sns.ts';
export { applyPostmarkWebhook, applySesNotification, ZPostmarkWebhook, ZSesNotification } from './deliverability.webhooks.ts';
export type { TPostmarkWebhook, TSesNotification, TWebhookOutcome, TWebhookSettings } from './deliverability.webhooks.ts';
