import { sql, type SQL } from 'drizzle-orm';
import type { TCompiledTerm } from './matching.terms.ts';

/**
 * How a paper is scored against a topic (see README, "Matching"): every topic term that matches
 * contributes its weight, times 1.5 when it is in the title and 1 when it is in the abstract
 * (2.5 when in both). A paper belongs to the topic when the sum reaches the threshold, so one
 * weak or incidental mention is not enough, while a defining term in the title or a few
 * distinct terms in the abstract are.
 */
export const MATCHING = {
  titleFactor: 1.5,
  abstractFactor: 1,
  topicThreshold: 1.5,
  /** A subscriber's keyword is their own definition of interest: one match anywhere is enough. */
  keywordWeight: 1.2,
  keywordThreshold: 0,
} as const;

/** Up to this many term queries, candidate papers are found by the GIN index, one look-up per query. */
export const INDEXED_LOOKUP_MAX_TERMS = 16;

/**
 * One set-based statement body: scores every paper in `paperScope` (a condition on `p`, the
 * papers table) against every owner (topic or keyword) in `terms`, and yields
 * `(paper_id, owner_id, score, matched_terms)` for owners with at least one hit. Each paper's
 * title and abstract vectors (`search_vector` split by weight: title A, abstract B) are taken out
 * once and kept in memory: testing every term against the stored vector would read it back out
 * of TOAST storage once per term, several hundred times per paper. With only a few queries (new
 * keywords over the recent papers, say), the GIN index first narrows the scope to the papers that
 * contain one of them, so the rest are never split.
 */
export function scoredMatchesSql({ terms, paperScope }: { terms: TCompiledTerm[]; paperScope: SQL }): SQL {
  const rows = JSON.stringify(
    terms.map((term) => ({ owner_id: term.ownerId, term: term.term, weight: term.weight, config: term.config, query: term.query, pattern: term.pattern })),
  );
  const candidates =
    terms.length > INDEXED_LOOKUP_MAX_TERMS
      ? sql``
      : sql`and p.id in (select p.id from distinct_queries v join papers p on p.search_vector @@ v.q where (${paperScope}))`;
  return sql`
    with variants as (
      select v.owner_id, v.term, v.weight, v.pattern,
        case v.config when 'simple' then to_tsquery('simple', v.query) else phraseto_tsquery('english', v.query) end as q
      from jsonb_to_recordset(${rows}::jsonb) as v(owner_id int, term text, weight real, config text, query text, pattern text)
    ),
    -- Terms the stemmer cannot tell apart ("tensorized" and "tensor" both become 'tensor') are
    -- one piece of evidence, and only as specific as the most generic of them. A term of stop
    -- words alone has no query at all.
    distinct_queries as (
      select distinct on (owner_id, q) owner_id, term, weight, pattern, q
      from variants
      where numnode(q) > 0
      order by owner_id, q, weight, term
    ),
    scoped as materialized (
      select p.id, p.title, p.abstract,
        ts_filter(p.search_vector, '{a}') as title_vector,
        ts_filter(p.search_vector, '{b}') as abstract_vector
      from papers p
      where (${paperScope}) ${candidates}
    ),
    hits as (
      select s.id as paper_id, v.owner_id, v.term, max(v.weight) as weight,
        bool_or(s.title_vector @@ v.q and (v.pattern is null or s.title ~ v.pattern)) as in_title,
        bool_or(s.abstract_vector @@ v.q and (v.pattern is null or s.abstract ~ v.pattern)) as in_abstract
      from distinct_queries v
      join scoped s on s.title_vector @@ v.q or s.abstract_vector @@ v.q
      group by s.id, v.owner_id, v.term
    ),
    contributions as (
      select paper_id, owner_id, term,
        weight * ((case when in_title then ${MATCHING.titleFactor}::real else 0 end) + (case when in_abstract then ${MATCHING.abstractFactor}::real else 0 end)) as contribution
      from hits h
      where (in_title or in_abstract)
        -- A term inside a longer matched term of the same topic ("gradient descent" in "stochastic
        -- gradient descent") is most likely the same words: count the longer, more specific one.
        and not exists (
          select 1 from hits longer
          where longer.paper_id = h.paper_id and longer.owner_id = h.owner_id and longer.term <> h.term
            and (longer.in_title or longer.in_abstract)
            and position(' ' || lower(h.term) || ' ' in ' ' || lower(longer.term) || ' ') > 0
        )
    )
    -- Summed in double precision, so a score does not depend on the order rows arrive in.
    select paper_id, owner_id, sum(contribution::double precision)::real as score,
      array_agg(term order by contribution desc, term) as matched_terms
    from contributions
    group by paper_id, owner_id
  `;
}
