import { deliveries, paperRatings, papers, sentPapers, sqlArray, subscribers, subscriberTopics, topics, type TDatabase } from '@paperboy/db';
import { eq, inArray, sql } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { createRun } from '../digests/digests.usecases.ts';
import type { TTopicModel } from '../matching/matching.model.ts';
import { matchPapers } from '../matching/matching.usecases.ts';
import type { TPaper } from '../papers/papers.schemas.ts';
import { storePapers } from '../papers/papers.usecases.ts';
import { isWanted, precisionAt10, rate, type TArm, type TRandom, type TSimulatedReader } from './ranking.eval-readers.ts';

// The ranking evaluation's bookkeeping on a real database: the labelled papers arrive in weekly
// batches, the product's matcher assigns their topics, the real planner plans each week's
// digests, and the simulated readers of the learned arm rate what they got.

const DAY = 24 * 3_600_000;
const SETTINGS = { lookbackDays: { weekly: 7, daily: 1 }, maxFailureRatio: 0.1 };

export type TEvalPaper = TPaper & { labels: string[] };
export type TReaderScore = {
  reader: string;
  week: number;
  arm: TArm | 'ceiling';
  precision: number;
  /** For a reader whose week held papers of several of their topics: whether the digest held at most one of them. */
  isOneTopic?: boolean;
};

/**
 * Runs `weeks` simulated weeks. Each reader exists twice: in the `topics` arm, who never rates,
 * and in the `learned` arm, who rates every paper of every digest. Returns each reader's
 * precision@10 per week and arm.
 */
export async function simulateWeeks({
  db,
  model,
  labelledPapers,
  readers,
  weeks,
  noise,
  random,
  start,
}: {
  db: TDatabase;
  /** The topic model the product matches papers with. */
  model: TTopicModel;
  labelledPapers: TEvalPaper[];
  readers: TSimulatedReader[];
  weeks: number;
  noise: number;
  random: TRandom;
  /** When the first week begins (a Monday, 00:00 UTC). */
  start: Date;
}): Promise<TReaderScore[]> {
  const labelsOf = await storeInWeeks({ db, model, labelledPapers, weeks, random, start });
  const subscriberIds = await subscribeReaders({ db, readers });
  const scores: TReaderScore[] = [];
  for (let week = 1; week <= weeks; week += 1) {
    const now = new Date(start.getTime() + week * 7 * DAY);
    const { run } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, now, settings: SETTINGS });
    const planned = await recordSent({ db, runId: run.id, sentAt: now });
    const candidates = await candidatesOf({ db, runId: run.id });
    for (const reader of readers) {
      const reachable = (candidates.get(subscriberIds.get(`${reader.name}:topics`)!) ?? []).map((id) => labelsOf.get(id) ?? []);
      const wantedFirst = [...reachable].sort((a, b) => Number(isWanted(reader.interest, b)) - Number(isWanted(reader.interest, a)));
      scores.push({ reader: reader.name, week, arm: 'ceiling', precision: precisionAt10(reader.interest, wantedFirst) });
      const offered = topicsAmong(reader.topics, reachable);
      for (const arm of ['topics', 'learned'] as const) {
        const digestLabels = (planned.get(subscriberIds.get(`${reader.name}:${arm}`)!) ?? []).map((id) => labelsOf.get(id) ?? []);
        const isOneTopic = offered.size >= 2 ? topicsAmong(reader.topics, digestLabels).size <= 1 : undefined;
        scores.push({ reader: reader.name, week, arm, precision: precisionAt10(reader.interest, digestLabels), isOneTopic });
      }
      const learnedId = subscriberIds.get(`${reader.name}:learned`)!;
      const ratings = (planned.get(learnedId) ?? []).map((paperId) => ({
        subscriberId: learnedId,
        paperId,
        runId: run.id,
        rating: rate({ interest: reader.interest, paperLabels: labelsOf.get(paperId) ?? [], random, noise }),
      }));
      if (ratings.length > 0) await db.insert(paperRatings).values(ratings);
    }
  }
  return scores;
}

/** Which of a reader's topics the papers carry, by their labels. */
function topicsAmong(readerTopics: string[], paperLabels: string[][]): Set<string> {
  return new Set(paperLabels.flat().filter((label) => readerTopics.includes(label)));
}

/**
 * Stores the papers, matches them with the product's matcher, and spreads them over the weeks
 * at random, each ingested in the middle of its week. Returns each paper id's labels.
 */
async function storeInWeeks({
  db,
  model,
  labelledPapers,
  weeks,
  random,
  start,
}: {
  db: TDatabase;
  model: TTopicModel;
  labelledPapers: TEvalPaper[];
  weeks: number;
  random: TRandom;
  start: Date;
}) {
  const stored = await storePapers({ db, papers: labelledPapers.map(({ labels: _labels, ...paper }) => paper), source: 'eval' });
  await matchPapers({ db, model, paperIds: stored.toMatch.map((paper) => paper.paperId) });
  const rows = await db.select({ id: papers.id, arxivId: papers.arxivId }).from(papers).where(
    inArray(
      papers.arxivId,
      labelledPapers.map((paper) => paper.arxivId),
    ),
  );
  const labelsByArxivId = new Map(labelledPapers.map((paper) => [paper.arxivId, paper.labels]));
  const ingestedAt = rows.map(() => new Date(start.getTime() + (Math.floor(random.next() * weeks) * 7 + 3.5) * DAY).toISOString());
  await db.execute(sql`
    update papers p set ingested_at = week.ingested_at::timestamptz
    from unnest(${sqlArray(
      rows.map((row) => row.id),
      'bigint',
    )}, ${sqlArray(ingestedAt, 'text')}) as week(id, ingested_at)
    where p.id = week.id
  `);
  return new Map(rows.map((row) => [row.id, labelsByArxivId.get(row.arxivId) ?? []]));
}

/** Two confirmed weekly subscribers per reader, one per arm, with the reader's topics and digests of ten. */
async function subscribeReaders({ db, readers }: { db: TDatabase; readers: TSimulatedReader[] }): Promise<Map<string, string>> {
  const topicRows = await db.select({ id: topics.id, slug: topics.slug }).from(topics);
  const topicId = new Map(topicRows.map((row) => [row.slug, row.id]));
  const names = readers.flatMap((reader) => [`${reader.name}:topics`, `${reader.name}:learned`]);
  const rows = await db
    .insert(subscribers)
    .values(
      names.map((name) => {
        const email = `${name.replace(':', '.')}@eval.test`;
        return { email, emailHash: createHash('sha256').update(email).digest('hex'), status: 'confirmed' as const, frequency: 'weekly' as const, digestSize: 10, confirmedAt: new Date() };
      }),
    )
    .returning({ id: subscribers.id });
  const subscriberIds = new Map(names.map((name, index) => [name, rows[index]!.id]));
  const chosen = readers.flatMap((reader) =>
    (['topics', 'learned'] as const).flatMap((arm) => reader.topics.map((slug) => ({ subscriberId: subscriberIds.get(`${reader.name}:${arm}`)!, topicId: topicId.get(slug)! }))),
  );
  await db.insert(subscriberTopics).values(chosen);
  return subscriberIds;
}

/**
 * Marks a run's digests as received (sent_papers), as sending would, at the simulated time (the
 * next week's run must see them as sent in an earlier period), and returns each subscriber's papers.
 */
async function recordSent({ db, runId, sentAt }: { db: TDatabase; runId: string; sentAt: Date }): Promise<Map<string, number[]>> {
  const rows = await db.update(deliveries).set({ state: 'sent', sentAt }).where(eq(deliveries.runId, runId)).returning();
  await db.execute(sql`update digest_runs set state = 'done', finished_at = now() where id = ${runId}`);
  const sent = rows.flatMap((row) => row.paperIds.map((paperId) => ({ subscriberId: row.subscriberId, paperId, deliveryId: row.id })));
  if (sent.length > 0) await db.insert(sentPapers).values(sent).onConflictDoNothing();
  return new Map(rows.map((row) => [row.subscriberId, row.paperIds]));
}

/** Each subscriber's candidates in the run's period: the papers matching one of their topics (the ceiling of any ranking). */
async function candidatesOf({ db, runId }: { db: TDatabase; runId: string }): Promise<Map<string, number[]>> {
  const { rows } = await db.execute<{ subscriber_id: string; paper_ids: string[] }>(sql`
    select st.subscriber_id, array_agg(distinct pt.paper_id) as paper_ids
    from digest_runs r
    join papers p on p.ingested_at >= r.period_start and p.ingested_at < r.period_end
    join paper_topics pt on pt.paper_id = p.id
    join subscriber_topics st on st.topic_id = pt.topic_id
    where r.id = ${runId}
    group by st.subscriber_id
  `);
  return new Map(rows.map((row) => [row.subscriber_id, row.paper_ids.map(Number)]));
}
