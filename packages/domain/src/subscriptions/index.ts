export * from './subscriptions.schemas.ts';
export * from './subscriptions.errors.ts';
export { createToken, verifyToken, subscriberLinks, confirmUrl, tokenExpiry } from './subscriptions.tokens.ts';
export type { TTokenCheck, TTokenPurpose, TTokenTtlDays } from './subscriptions.tokens.ts';
export { hashEmail } from './subscriptions.email-hash.ts';
export { listTopicChoices, resolveTopicIds } from './subscriptions.topics.ts';
export type { TTopicChoice } from './subscriptions.topics.ts';
export { createSubscribersRepository } from './subscriptions.repository.ts';
export type { TConsentEvent, TConsentKind, TSubscriberRow } from './subscriptions.repository.ts';
export { signup } from './subscriptions.usecases.ts';
export { checkConfirmation, confirmSubscription, subscriberFromToken, unsubscribe } from './links.usecases.ts';
export type { TEnqueueSubscriptionEmail, TRequestOrigin, TSignupOutcome, TSubscriptionEmailJob } from './subscriptions.usecases.ts';
export { getPreferences, pauseSubscription, resubscribe, updatePreferences } from './preferences.usecases.ts';
export type { TPreferencesView } from './preferences.usecases.ts';
export { eraseSubscriberData, exportSubscriberData } from './privacy.usecases.ts';
export type { TSubscriberExport } from './privacy.usecases.ts';
export { createSubscriptionEmailSkeletons, sendSubscriptionEmail } from './subscription-emails.usecases.ts';
export type { TSubscriptionEmailDeps, TSubscriptionEmailResult, TSubscriptionEmailSkeletons } from './subscription-emails.usecases.ts';
export {
  addSubscriber,
  listSubscribers,
  removeSubscriber,
  subscriberCounts,
  ZAdminSubscriber,
  ZAdminSubscriberQuery,
} from './subscribers.usecases.ts';
export type { TAdminSubscriber, TAdminSubscriberQuery } from './subscribers.usecases.ts';
export { findUnsentConfirmations } from './confirmation.sweep.ts';
export { removeExpiredSignups } from './subscriptions.cleanup.ts';
