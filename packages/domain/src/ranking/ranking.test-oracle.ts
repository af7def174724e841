import type { TDb } from '@paperboy/db';
import { sql, type SQL } from 'drizzle-orm';
import { formatWhy, RANKING } from './ranking.formula.ts';

// A second, independent statement of the topic-and-keyword ranking, in SQL, for tests only: the
// planner ranks in TypeScript and the tests hold it equal to this per-subscriber SELECT. Below it,
// the share per topic written the plain way, and the deterministic draws the tests make.

type TCandidateReason = { kind: 'topic' | 'keyword'; label: string; slug: string | null; score: number; terms: string[] };

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

/** The ranking formula of ranking.formula.ts, as SQL over a summed score and an upvote count. */
function rankSql(summedScore: SQL, upvotes: SQL): SQL {
  const { relevanceScale, relevanceWeight, trendingWeight, upvotesForFullTrending } = RANKING;
  return sql`(${sql.raw(String(relevanceWeight))} * (1 - exp(-(${summedScore}) / ${sql.raw(String(relevanceScale))}))
    + ${sql.raw(String(trendingWeight))} * least(1, ln(1 + greatest(${upvotes}, 0)) / ln(${sql.raw(String(1 + upvotesForFullTrending))})))`;
}

/**
 * One subscriber's candidates: papers ingested since `since` that match one of their topics or
 * keywords, minus the papers already sent to them, ranked (position 1 = best, ties to the newer
 * paper id), each with its reasons.
 */
function rankedCandidatesSql({ subscriberId, since }: { subscriberId: string; since: Date }): SQL {
  const { relevanceScale, upvotesForFullTrending } = RANKING;
  return sql`
    with matches as (
      select pt.paper_id, 'topic' as kind, t.name as label, t.slug, pt.score, pt.matched_terms as terms
      from subscriber_topics st
      join paper_topics pt on pt.topic_id = st.topic_id
      join topics t on t.id = st.topic_id
      where st.subscriber_id = ${subscriberId}
      union all
      select pk.paper_id, 'keyword', k.phrase, null, pk.score, array[k.phrase]
      from subscriber_keywords sk
      join paper_keywords pk on pk.keyword_id = sk.keyword_id
      join keywords k on k.id = sk.keyword_id
      where sk.subscriber_id = ${subscriberId}
    ),
    scored as (
      select m.paper_id, p.arxiv_id, p.title, p.upvotes,
        1 - exp(-sum(m.score) / ${relevanceScale}) as relevance,
        least(1, ln(1 + p.upvotes) / ln(${1 + upvotesForFullTrending})) as trending,
        ${rankSql(sql`sum(m.score)`, sql`p.upvotes`)} as rank,
        jsonb_agg(jsonb_build_object('kind', m.kind, 'label', m.label, 'slug', m.slug, 'score', m.score, 'terms', m.terms) order by m.score desc, m.label) as reasons
      from matches m
      join papers p on p.id = m.paper_id
      where p.ingested_at >= ${since.toISOString()}
        and not exists (select 1 from sent_papers sp where sp.subscriber_id = ${subscriberId} and sp.paper_id = m.paper_id)
      group by m.paper_id, p.arxiv_id, p.title, p.upvotes
    )
    select scored.*, row_number() over (order by rank desc, paper_id desc) as position
    from scored
  `;
}

type TCandidateRow = {
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
    select * from (${rankedCandidatesSql({ subscriberId, since })}) c
    where c.position <= ${limit}
    order by c.position
  `);
  return rows.map((row) => ({
    subscriberId,
    paperId: Number(row.paper_id),
    arxivId: row.arxiv_id,
    title: row.title,
    upvotes: row.upvotes,
    relevance: Number(row.relevance),
    trending: Number(row.trending),
    rank: Number(row.rank),
    position: Number(row.position),
    reasons: row.reasons,
    why: formatWhy({ reasons: row.reasons }),
  }));
}

/**
 * The share per topic, the plain way: every step, every candidate left (of the best three digests'
 * worth) is valued at its score minus 0.05 per full share (digest size × `shareOf`) already taken
 * from its topic; the first of the best values is taken.
 */
export function takeWithSharesOneByOne<T>(
  scored: T[],
  { digestSize, scoreOf, groupOf, shareOf }: { digestSize: number; scoreOf: (paper: T) => number; groupOf: (paper: T) => number; shareOf: (group: number) => number },
): T[] {
  const remaining = scored.slice(0, 3 * digestSize);
  const taken = new Map<number, number>();
  const chosen: T[] = [];
  while (chosen.length < digestSize && remaining.length > 0) {
    const valueOf = (paper: T) => scoreOf(paper) - (0.05 * (taken.get(groupOf(paper)) ?? 0)) / (digestSize * shareOf(groupOf(paper)));
    const best = remaining.reduce((top, paper) => (valueOf(paper) > valueOf(top) ? paper : top));
    remaining.splice(remaining.indexOf(best), 1);
    chosen.push(best);
    taken.set(groupOf(best), (taken.get(groupOf(best)) ?? 0) + 1);
  }
  return chosen;
}

/** A small deterministic generator, so a failure names a reproducible draw. */
export function seededGenerator(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  return { next, pick: <T>(items: T[], chance: number) => items.filter(() => next() < chance) };
}
