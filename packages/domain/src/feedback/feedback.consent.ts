import type { TDb } from '@paperboy/db';
import { createSubscribersRepository } from '../subscriptions/subscriptions.repository.ts';
import type { TRequestOrigin } from '../subscriptions/subscriptions.usecases.ts';

/**
 * The consent log's note that a reader gave feedback: what kind of action, never which paper or
 * which way, because the log outlives erasure and must not profile anyone.
 */
export function recordFeedbackConsent({
  db,
  subscriberId,
  details,
  origin,
  now,
}: {
  db: TDb;
  subscriberId: string;
  details: { action: 'rated' | 'undone' } | { action: 'liked_papers'; count: number };
  origin: TRequestOrigin;
  now: Date;
}) {
  return createSubscribersRepository({ db }).recordConsent({ subscriberId, kind: 'feedback', ip: origin.ip, userAgent: origin.userAgent, details, occurredAt: now });
}
