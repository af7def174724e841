export { classifySendError, classifySmtpReply, parseEnhancedStatus } from './deliverability.classifier.ts';
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
