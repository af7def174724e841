import type { TDb } from '@paperboy/db';
import { sql } from 'drizzle-orm';

export type TTopicFeedback = { slug: string; name: string; up: number; down: number };
export type TRunFeedback = { up: number; down: number; byTopic: TTopicFeedback[] };

/**
 * How readers rated the papers of one run: the ratings whose latest click came from this run's
 * digest, in total and per topic of the paper (a paper in two topics counts in both).
 */
export async function getRunFeedback({ db, runId }: { db: TDb; runId: string }): Promise<TRunFeedback> {
  const [totals, topics] = await Promise.all([
    db.execute<{ up: number; down: number }>(sql`
      select count(*) filter (where rating = 1)::int as up, count(*) filter (where rating = -1)::int as down
      from paper_ratings where run_id = ${runId}
    `),
    db.execute<TTopicFeedback>(sql`
      select t.slug, t.name,
        count(*) filter (where r.rating = 1)::int as up,
        count(*) filter (where r.rating = -1)::int as down
      from paper_ratings r
      join paper_topics pt on pt.paper_id = r.paper_id
      join topics t on t.id = pt.topic_id
      where r.run_id = ${runId}
      group by t.id
      order by count(*) desc, t.name
    `),
  ]);
  return { up: totals.rows[0]?.up ?? 0, down: totals.rows[0]?.down ?? 0, byTopic: topics.rows };
}
