import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoPath } from '@paperboy/runtime';
import type { TDb } from '@paperboy/db';
import type { TCaughtMessage } from '@paperboy/testing';
import { sql } from 'drizzle-orm';

export type TReconciliation = {
  scenario: string;
  subscribers: number;
  runs: number;
  runState: string;
  pauseReason: string | null;
  planned: number;
  sent: number;
  failed: number;
  cancelled: number;
  /** Messages the SMTP server kept for this run's deliveries, copies included. */
  received: number;
  /** Extra copies of one delivery seen at the SMTP server. */
  duplicates: number;
  /** Of those, copies the server kept while the sender never learnt it had (dropped after DATA, or the sender died first). */
  duplicatesAfterData: number;
  /** Deliveries not failed or cancelled that the SMTP server never received, and deliveries marked sent that it never received. */
  missing: number;
  /** Messages to anyone who was not confirmed when the run started. */
  toUnsubscribed: number;
  /** Messages that belong to no delivery of the run. */
  strays: number;
  durationMs: number;
  notes: string[];
};

/** Digest Message-IDs are `<digest-<delivery uuid>@host>`: the delivery each copy belongs to. */
function deliveryIdOf(message: TCaughtMessage): string | undefined {
  return /<digest-([0-9a-f-]{36})@/.exec(message.header('message-id') ?? '')?.[1];
}

/**
 * Compares what the SMTP server received with what PostgreSQL says was sent. `unsentBefore`
 * are the subscriber ids that were not confirmed when the run started: any mail to them is a
 * broken promise. `inFlightAtFault` are deliveries that may legitimately have reached the server
 * without being recorded (the sender died or lost its reply between 250 and the UPDATE).
 */
export async function reconcile({
  db,
  scenario,
  messages,
  subscribers,
  unsentBefore,
  inFlightAtFault = new Set<string>(),
  durationMs,
  notes = [],
}: {
  db: TDb;
  scenario: string;
  messages: TCaughtMessage[];
  subscribers: number;
  unsentBefore: Set<string>;
  inFlightAtFault?: Set<string>;
  durationMs: number;
  notes?: string[];
}): Promise<TReconciliation> {
  const { rows: runs } = await db.execute<{ id: string; state: string; pause_reason: string | null; planned_count: number }>(
    sql`select id, state, pause_reason, planned_count from digest_runs where not is_dry_run order by created_at`,
  );
  const { rows: deliveries } = await db.execute<{ id: string; state: string; subscriber_id: string }>(
    sql`select id, state, subscriber_id from deliveries`,
  );
  const copies = new Map<string, TCaughtMessage[]>();
  let strays = 0;
  for (const message of messages) {
    const deliveryId = deliveryIdOf(message);
    if (!deliveryId) {
      strays += 1;
      continue;
    }
    copies.set(deliveryId, [...(copies.get(deliveryId) ?? []), message]);
  }
  const known = new Set(deliveries.map((delivery) => delivery.id));
  strays += [...copies.keys()].filter((id) => !known.has(id)).length;

  let duplicates = 0;
  let duplicatesAfterData = 0;
  let missing = 0;
  let toUnsubscribed = 0;
  for (const delivery of deliveries) {
    const received = copies.get(delivery.id) ?? [];
    const extra = Math.max(received.length - 1, 0);
    duplicates += extra;
    // A copy the server kept without acknowledging it explains one resend; so does a delivery
    // that was in flight when its sender was killed or cut off.
    const unacknowledged = received.filter((message) => !message.isAcknowledged).length;
    duplicatesAfterData += Math.min(extra, unacknowledged + (inFlightAtFault.has(delivery.id) ? 1 : 0));
    if (received.length === 0 && (delivery.state === 'sent' || !['failed', 'cancelled'].includes(delivery.state))) missing += 1;
    if (received.length > 0 && unsentBefore.has(delivery.subscriber_id)) toUnsubscribed += received.length;
  }
  const count = (state: string) => deliveries.filter((delivery) => delivery.state === state).length;
  const run = runs[0];
  return {
    scenario,
    subscribers,
    runs: runs.length,
    runState: runs.map((candidate) => candidate.state).join(',') || 'none',
    pauseReason: run?.pause_reason ?? null,
    planned: runs.reduce((sum, candidate) => sum + candidate.planned_count, 0),
    sent: count('sent'),
    failed: count('failed'),
    cancelled: count('cancelled'),
    received: messages.length - strays,
    duplicates,
    duplicatesAfterData,
    missing,
    toUnsubscribed,
    strays,
    durationMs,
    notes,
  };
}

/**
 * Writes this scenario's figures to test-artifacts/chaos/<scenario>.json, rebuilds
 * results.json from every scenario file there (scenarios run in parallel, one file each), and
 * prints the table so far.
 */
export async function report(result: TReconciliation): Promise<void> {
  const resultsDir = repoPath('test-artifacts', 'chaos');
  await mkdir(resultsDir, { recursive: true });
  await writeFile(join(resultsDir, `${result.scenario}.json`), `${JSON.stringify(result, null, 2)}\n`);
  const files = (await readdir(resultsDir)).filter((file) => file.endsWith('.json') && file !== 'results.json').sort();
  const all = await Promise.all(files.map(async (file) => JSON.parse(await readFile(join(resultsDir, file), 'utf8')) as TReconciliation));
  await writeFile(join(resultsDir, 'results.json'), `${JSON.stringify(all, null, 2)}\n`);
  const { scenario, subscribers, planned, sent, failed, received, duplicates, duplicatesAfterData, missing, toUnsubscribed, runState, durationMs } = result;
  console.table([{ scenario, subscribers, planned, sent, failed, received, duplicates, duplicatesAfterData, missing, toUnsubscribed, runState, seconds: Math.round(durationMs / 100) / 10 }]);
  for (const note of result.notes) console.log(`  ${scenario}: ${note}`);
}
