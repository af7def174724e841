export { compileTemplate, TemplateError } from './templates.ts';
export type { TCompiledTemplate, TRenderedEmail } from './templates.ts';
export { assertSingleLine, classifySmtpError, createMailer, HeaderInjectionError } from './mailer.ts';
export type { TMailer, TOutgoingEmail, TSendResult, TSmtpFailure } from './mailer.ts';
export { compileDigestTemplate, compileTransactionalTemplates } from './catalog.ts';
export type { TDigestData, TDigestPaperData, TConfirmationData, TFooterData, TManagePreferencesData, TTransactionalTemplates } from './catalog.ts';
