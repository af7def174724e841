export { classifySendError, classifySmtpReply, parseEnhancedStatus } from './deliverability.classifier.ts';
export type { TBounceKind, TSmtpClassification, TSmtpPhase } from './deliverability.classifier.ts';
