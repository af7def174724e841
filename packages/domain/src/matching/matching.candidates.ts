import type { TDb } from '@paperboy/db';
import { sql, type SQL } from 'drizzle-orm';

/**
 * Ranking of a paper for a subscriber (README, "Matching"):
 *
 *   relevance = 1 - exp(-S / 3)        S = sum of the paper's scores over the subscriber's matched topics and keywords
 *   trending  = min(1, ln(1 + upvotes) / ln(1001))
 *   rank      = 0.7 * relevance + 0.3 * trending
 *
 * `1 - exp(-S/3)` is the noisy-or of the individual matches (each `1 - exp(-s/3)`), so every
 * further matching topic or keyword adds relevance with diminishing returns. Upvotes are
 * logarithmic and weigh less than relevance, so a strong match with few upvotes beats a weak
 * match with many.
 */
export const RANKING = { relevanceScale: 3, relevanceWeight: 0.7, trendingWeight: 0.3, upvotesForFullTrending: 1000 } as const;

/** `rank` above, as SQL over a summed score and an upvote count: the planner and findCandidates share it. */
export function rankSql(summedScore: SQL, upvotes: SQL): SQL {
  const { relevanceScale, relevanceWeight, trendingWeight, upvotesForFullTrending } = RANKING;
  return sql`(${sql.raw(String(relevanceWeight))} * (1 - exp(-(${summedScore}) / ${sql.raw(String(relevanceScale))}))
    + ${sql.raw(String(trendingWeight))} * least(1, ln(1 + greatest(${upvotes}, 0)) / ln(${sql.raw(String(1 + upvotesForFullTrending))})))`;
}

/** The "why you got this" line, e.g. `Topic (term, term); “keyword” · 142 upvotes`, reasons best first. */
export function formatWhy({ reasons, upvotes }: { reasons: { kind: 'topic' | 'keyword'; label: string; terms: string[]; score: number }[]; upvotes: number }): string {
  const parts = [...reasons]
    .sort((a, b) => b.score - a.score || a.label.localeCompare(b.label))
    .map((reason) => (reason.kind === 'topic' ? `${reason.label} (${reason.terms.slice(0, 3).join(', ')})` : `“${reason.label}”`));
  return `${parts.join('; ')} · ${upvotes} ${upvotes === 1 ? 'upvote' : 'upvotes'}`;
}

export type TCandidateReason = { kind: 'topic' | 'keyword'; label: string; slug: string | null; score: number; terms: string[] };

export type TCandidate = {
  subscriberId: string;
  paperId: number;
  arxivId: string;
  title: string;
  upvotes: number;
  relevance: number;
  trending: number;
  rank: number;
  position: number;
  reasons: TCandidateReason[];
  why: string;
};

/**
 * The candidates of many subscribers at once, as one set-based SELECT the digest planner can wrap
 * (`insert ... select ... from (${rankedCandidatesSql(...)}) c where c.position <= s.digest_size`).
 * Papers are those ingested since `since` that match one of the subscriber's topics
 * (subscriber_topics -> paper_topics) or keywords (subscriber_keywords -> paper_keywords), minus
 * the papers already sent to that subscriber. Columns: subscriber_id, paper_id, arxiv_id, title,
 * upvotes, relevance, trending, rank, position (1 = best, per subscriber), reasons (jsonb).
 * `subscribers` is a SQL condition on `s`, the subscribers table (e.g. `s.id = $1`).
 */
export function rankedCandidatesSql({ subscribers, since }: { subscribers: SQL; since: Date }): SQL {
  const { relevanceScale, upvotesForFullTrending } = RANKING;
  return sql`
    with chosen as (
      select s.id as subscriber_id from subscribers s where ${subscribers}
    ),
    matches as (
      select c.subscriber_id, pt.paper_id, 'topic' as kind, t.name as label, t.slug, pt.score, pt.matched_terms as terms
      from chosen c
      join subscriber_topics st on st.subscriber_id = c.subscriber_id
      join paper_topics pt on pt.topic_id = st.topic_id
      join topics t on t.id = st.topic_id
      union all
      select c.subscriber_id, pk.paper_id, 'keyword', k.phrase, null, pk.score, array[k.phrase]
      from chosen c
      join subscriber_keywords sk on sk.subscriber_id = c.subscriber_id
      join paper_keywords pk on pk.keyword_id = sk.keyword_id
      join keywords k on k.id = sk.keyword_id
    ),
    scored as (
      select m.subscriber_id, m.paper_id, p.arxiv_id, p.title, p.upvotes,
        1 - exp(-sum(m.score) / ${relevanceScale}) as relevance,
        least(1, ln(1 + p.upvotes) / ln(${1 + upvotesForFullTrending})) as trending,
        ${rankSql(sql`sum(m.score)`, sql`p.upvotes`)} as rank,
        jsonb_agg(jsonb_build_object('kind', m.kind, 'label', m.label, 'slug', m.slug, 'score', m.score, 'terms', m.terms) order by m.score desc, m.label) as reasons
      from matches m
      join papers p on p.id = m.paper_id
      where p.ingested_at >= ${since.toISOString()}
        and not exists (select 1 from sent_papers sp where sp.subscriber_id = m.subscriber_id and sp.paper_id = m.paper_id)
      group by m.subscriber_id, m.paper_id, p.arxiv_id, p.title, p.upvotes
    )
    select scored.*, row_number() over (partition by subscriber_id order by rank desc, paper_id desc) as position
    from scored
  `;
}

type TCandidateRow = {
  subscriber_id: string;
  paper_id: string | number;
  arxiv_id: string;
  title: string;
  upvotes: number;
  relevance: number;
  trending: number;
  rank: number;
  position: string | number;
  reasons: TCandidateReason[];
};

/** One subscriber's best candidates since `since`, ranked, each with its reasons and "why" line. */
export async function findCandidates({ db, subscriberId, since, limit }: { db: TDb; subscriberId: string; since: Date; limit: number }): Promise<TCandidate[]> {
  const { rows } = await db.execute<TCandidateRow>(sql`
    select * from (${rankedCandidatesSql({ subscribers: sql`s.id = ${subscriberId}`, since })}) c
    where c.position <= ${limit}
    order by c.position
  `);
  return rows.map((row) => ({
    subscriberId: row.subscriber_id,
    paperId: Number(row.paper_id),
    arxivId: row.arxiv_id,
    title: row.title,
    upvotes: row.upvotes,
    relevance: Number(row.relevance),
    trending: Number(row.trending),
    rank: Number(row.rank),
    position: Number(row.position),
    reasons: row.reasons,
    why: formatWhy({ reasons: row.reasons, upvotes: row.upvotes }),
  }));
}

/** `rank` above, in TypeScript, over a summed score: the planner merges its ranked lists with it (a test holds it equal to `rankSql`). */
export function rankOf(summedScore: number, upvotes: number): number {
  const relevance = 1 - Math.exp(-summedScore / RANKING.relevanceScale);
  const trending = Math.min(1, Math.log(1 + Math.max(upvotes, 0)) / Math.log(1 + RANKING.upvotesForFullTrending));
  return RANKING.relevanceWeight * relevance + RANKING.trendingWeight * trending;
}
