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
