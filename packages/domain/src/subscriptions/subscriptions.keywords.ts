import type { TDb } from '@paperboy/db';
import { matchKeywords } from '../matching/matching.usecases.ts';
import { createSubscribersRepository } from './subscriptions.repository.ts';

// Papers are matched to keyword phrases when they are ingested; a phrase chosen for the first
// time has no matches yet. Matching it against the recent papers right away (one indexed
// full-text query) lets the subscriber's very first digest use it.
const NEW_KEYWORD_LOOKBACK_DAYS = 30;

export async function chooseKeywords({ db, subscriberId, phrases, now = new Date() }: { db: TDb; subscriberId: string; phrases: string[]; now?: Date }) {
  const { newKeywordIds } = await createSubscribersRepository({ db }).replaceKeywords({ subscriberId, phrases });
  await matchNewKeywords({ db, keywordIds: newKeywordIds, now });
}

/** Matches phrases nobody had chosen before against the last NEW_KEYWORD_LOOKBACK_DAYS of papers. */
export async function matchNewKeywords({ db, keywordIds, now }: { db: TDb; keywordIds: number[]; now: Date }) {
  if (keywordIds.length === 0) return;
  await matchKeywords({ db, keywordIds, since: new Date(now.getTime() - NEW_KEYWORD_LOOKBACK_DAYS * 86_400_000) });
}
