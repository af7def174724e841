import type { TDb } from '@paperboy/db';
import { sql } from 'drizzle-orm';

/** A run's bounces and complaints so far, and their share of the deliveries that left. */
export type TRunBounceStats = {
  runId: string;
  /** Deliveries that left or were refused: the denominator of every rate. */
  attempted: number;
  hardBounces: number;
  softBounces: number;
  policyRefusals: number;
  complaints: number;
  hardBounceRate: number;
  complaintRate: number;
};

export type TRunRateLimits = { maxHardBounceRate: number; maxComplaintRate: number };

// Below this many events a run never pauses itself: two complaints in a run of fifty are noise.
export const MIN_EVENTS_TO_PAUSE = 3;

/**
 * A run's stats, or, with `since`, those of its deliveries that left (or were refused) from then
 * on: a failed delivery has no sent_at, and its updated_at is when it failed.
 */
export async function runBounceStats({ db, runId, since }: { db: TDb; runId: string; since?: Date | null }): Promise<TRunBounceStats> {
  const attemptedSince = since ? sql`and coalesce(sent_at, updated_at) >= ${since.toISOString()}::timestamptz` : sql``;
  const { rows } = await db.execute<{ attempted: number; hard: number; soft: number; policy: number; complaints: number }>(sql`
    select count(*) filter (where state in ('sent', 'failed'))::int as attempted,
           count(*) filter (where bounce_kind = 'hard')::int as hard,
           count(*) filter (where bounce_kind = 'soft')::int as soft,
           count(*) filter (where bounce_kind = 'policy')::int as policy,
           count(*) filter (where complained_at is not null)::int as complaints
    from deliveries where run_id = ${runId}::uuid ${attemptedSince}
  `);
  const row = rows[0] ?? { attempted: 0, hard: 0, soft: 0, policy: 0, complaints: 0 };
  const rate = (count: number) => (row.attempted === 0 ? 0 : count / row.attempted);
  return {
    runId,
    attempted: row.attempted,
    hardBounces: row.hard,
    softBounces: row.soft,
    policyRefusals: row.policy,
    complaints: row.complaints,
    hardBounceRate: rate(row.hard),
    complaintRate: rate(row.complaints),
  };
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/**
 * Why a run should pause for its bounces or complaints, or undefined. Mailbox providers judge a
 * sender by these two rates; a list that suddenly bounces (an old import) or draws complaints
 * must stop before it costs the domain its reputation. Only deliveries since the run (re)started
 * count: the counts never go down, so judging the whole run again would pause it on the evidence
 * an admin has already weighed when resuming it.
 */
export async function bounceRateBreach({ db, run, limits }: { db: TDb; run: { id: string; startedAt: Date | null }; limits: TRunRateLimits }): Promise<string | undefined> {
  const stats = await runBounceStats({ db, runId: run.id, since: run.startedAt });
  if (stats.hardBounces >= MIN_EVENTS_TO_PAUSE && stats.hardBounceRate > limits.maxHardBounceRate) {
    return `${stats.hardBounces} of ${stats.attempted} deliveries hard-bounced (${percent(stats.hardBounceRate)}), above the limit of ${percent(limits.maxHardBounceRate)}. Check where these addresses came from before resuming.`;
  }
  if (stats.complaints >= MIN_EVENTS_TO_PAUSE && stats.complaintRate > limits.maxComplaintRate) {
    return `${stats.complaints} of ${stats.attempted} recipients complained (${percent(stats.complaintRate)}), above the limit of ${percent(limits.maxComplaintRate)}. Check the content and the audience before resuming.`;
  }
  return undefined;
}

export function runRateLimits(config: { deliverability: { runMaxHardBounceRate: number; runMaxComplaintRate: number } }): TRunRateLimits {
  return { maxHardBounceRate: config.deliverability.runMaxHardBounceRate, maxComplaintRate: config.deliverability.runMaxComplaintRate };
}
