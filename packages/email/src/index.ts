export { compileTemplate, TemplateError } from './templates.ts';
export type { TCompiledTemplate, TRenderedEmail } from './templates.ts';
export { createMailer } from './mailer.ts';
export type { TMailer, TSendResult } from './mailer.ts';
export { assertAddress, assertSingleLine, HeaderInjectionError } from './message.headers.ts';
export { createMessageSkeleton } from './message.skeleton.ts';
export type { TComposedMessage, TEnvelope, TMessageSkeleton, TOutgoingEmail } from './message.skeleton.ts';
export { compileDigestTemplate, compileTransactionalTemplates } from './catalog.ts';
export type { TDigestData, TDigestPaperData, TConfirmationData, TFooterData, TManagePreferencesData, TTransactionalTemplates } from './catalog.ts';
