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
