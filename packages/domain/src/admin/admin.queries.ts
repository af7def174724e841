import { deliveries, digestRuns, type TDb } from '@paperboy/db';
import { desc, eq, sql } from 'drizzle-orm';

// Read-only views the admin console needs. Every change the console makes goes through a use
// case; these only read.

const iso = (value: string | Date | null) => (value === null ? null : new Date(value).toISOString());

export type TGrowthPoint = { weekStart: string; confirmed: number; signups: number };

/** Confirmed subscribers at the end of each of the last `weeks` ISO weeks (UTC), and signups in each. */
export async function readGrowth({ db, weeks, now }: { db: TDb; weeks: number; now: Date }): Promise<TGrowthPoint[]> {
  const { rows } = await db.execute<{ week_start: string; confirmed: string; signups: string }>(sql`
    with weeks as (
      select generate_series(
        date_trunc('week', (${now.toISOString()}::timestamptz at time zone 'utc')) - make_interval(weeks => ${weeks - 1}),
        date_trunc('week', (${now.toISOString()}::timestamptz at time zone 'utc')),
        interval '1 week') at time zone 'utc' as week_start
    )
    select w.week_start,
      (select count(*) from subscribers s where s.confirmed_at < w.week_start + interval '1 week'
         and (s.unsubscribed_at is null or s.unsubscribed_at >= w.week_start + interval '1 week')) as confirmed,
      (select count(*) from subscribers s where s.created_at >= w.week_start and s.created_at < w.week_start + interval '1 week') as signups
    from weeks w order by w.week_start`);
  return rows.map((row) => ({ weekStart: iso(row.week_start)!, confirmed: Number(row.confirmed), signups: Number(row.signups) }));
}

export async function countPapersIngestedSince({ db, since }: { db: TDb; since: Date }): Promise<number> {
  const { rows } = await db.execute<{ count: string }>(sql`select count(*) as count from papers where ingested_at >= ${since.toISOString()}`);
  return Number(rows[0]?.count ?? 0);
}

export async function findSubscriberIdByEmail({ db, email }: { db: TDb; email: string }): Promise<string | undefined> {
  const { rows } = await db.execute<{ id: string }>(sql`select id from subscribers where email = ${email.trim().toLowerCase()} limit 1`);
  return rows[0]?.id;
}

/** The digests planned for one subscriber, newest first, with the run each belonged to. */
export async function listSubscriberDeliveries({ db, subscriberId }: { db: TDb; subscriberId: string }) {
  const rows = await db
    .select({
      id: deliveries.id,
      state: deliveries.state,
      sentAt: deliveries.sentAt,
      createdAt: deliveries.createdAt,
      attempts: deliveries.attempts,
      paperCount: sql<number>`cardinality(${deliveries.paperIds})`.mapWith(Number),
      runId: digestRuns.id,
      frequency: digestRuns.frequency,
      periodKey: digestRuns.periodKey,
    })
    .from(deliveries)
    .innerJoin(digestRuns, eq(digestRuns.id, deliveries.runId))
    .where(eq(deliveries.subscriberId, subscriberId))
    .orderBy(desc(deliveries.createdAt))
    .limit(200);
  return rows;
}

/** The papers of the last `days` that a topic catches, best score first. */
export async function listTopicPapers({ db, slug, since, limit }: { db: TDb; slug: string; since: Date; limit: number }) {
  const { rows } = await db.execute<{ arxiv_id: string; title: string; ingested_at: string; score: number; matched_terms: string[] }>(sql`
    select p.arxiv_id, p.title, p.ingested_at, pt.score, pt.matched_terms
    from paper_topics pt join topics t on t.id = pt.topic_id join papers p on p.id = pt.paper_id
    where t.slug = ${slug} and p.ingested_at >= ${since.toISOString()}
    order by pt.score desc, p.id desc limit ${limit}`);
  return rows.map((row) => ({ arxivId: row.arxiv_id, title: row.title, ingestedAt: iso(row.ingested_at), score: Number(row.score), matchedTerms: row.matched_terms }));
}
