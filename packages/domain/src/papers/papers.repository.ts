import { papers, sqlArray, type TDb } from '@paperboy/db';
import { inArray, sql, type SQL } from 'drizzle-orm';
import type { TPaper } from './papers.schemas.ts';

// PostgreSQL allows 65,535 parameters per statement; 13 columns a row leaves room for 5,000 rows,
// and 1,000 keeps each statement small enough to report progress.
const ROWS_PER_STATEMENT = 1_000;

type TWrittenPaper = { id: number; arxivId: string; isNew: boolean };

/**
 * What a re-ingest changes. Content (title, abstract) always follows the latest source. Fields a
 * source may not carry keep what another source said: arXiv has no upvotes or GitHub links, and
 * Hugging Face has no categories, so ingesting a paper from both never erases either. Upvotes
 * only grow (the trending signal is a running count), and `published_at` keeps the first version's date.
 */
const MERGED = {
  title: sql`excluded.title`,
  abstract: sql`excluded.abstract`,
  authors: sql`case when cardinality(excluded.authors) > 0 then excluded.authors else papers.authors end`,
  categories: sql`case when cardinality(excluded.categories) > 0 then excluded.categories else papers.categories end`,
  publishedAt: sql`least(papers.published_at, excluded.published_at)`,
  upvotes: sql`greatest(papers.upvotes, excluded.upvotes)`,
  githubRepo: sql`coalesce(excluded.github_repo, papers.github_repo)`,
  projectPage: sql`coalesce(excluded.project_page, papers.project_page)`,
} satisfies Record<string, SQL>;

const CURRENT = sql`(papers.title, papers.abstract, papers.authors, papers.categories, papers.published_at, papers.upvotes, papers.github_repo, papers.project_page)`;
const INCOMING = sql`(${sql.join(Object.values(MERGED), sql`, `)})`;

type TListedPaperRow = {
  id: string;
  arxiv_id: string;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  published_at: string | Date | null;
  upvotes: number;
  github_repo: string | null;
  project_page: string | null;
  source: string;
  ingested_at: string | Date;
  matched_at: string | Date | null;
  topics: { slug: string; name: string; score: number; matchedTerms: string[] }[];
  total: string;
};

export function createPapersRepository({ db }: { db: TDb }) {
  return {
    /**
     * Inserts new papers and updates known ones in set-based statements keyed by arXiv id. Rows
     * whose merged values equal what is stored are not touched (and not returned), so an
     * unchanged re-ingest writes nothing. A changed title or abstract clears `matched_at`: the
     * paper must be matched again.
     */
    upsertPapers: async ({ rows, source, onChunk }: { rows: TPaper[]; source: string; onChunk?: (done: number) => void }) => {
      const written: TWrittenPaper[] = [];
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
        const result = await db
          .insert(papers)
          .values(
            chunk.map((paper) => ({
              arxivId: paper.arxivId,
              title: paper.title,
              abstract: paper.abstract,
              authors: paper.authors,
              categories: paper.categories,
              publishedAt: paper.publishedAt ? new Date(paper.publishedAt) : null,
              upvotes: paper.upvotes,
              githubRepo: paper.githubRepo ?? null,
              projectPage: paper.projectPage ?? null,
              source,
            })),
          )
          .onConflictDoUpdate({
            target: papers.arxivId,
            set: {
              ...MERGED,
              source: sql`excluded.source`,
              matchedAt: sql`case when (papers.title, papers.abstract) is distinct from (excluded.title, excluded.abstract) then null else papers.matched_at end`,
              updatedAt: sql`now()`,
            },
            setWhere: sql`${CURRENT} is distinct from ${INCOMING}`,
          })
          // xmax is 0 only for a row this statement inserted.
          .returning({ id: papers.id, arxivId: papers.arxivId, isNew: sql<boolean>`(xmax = 0)` });
        written.push(...result);
        onChunk?.(Math.min(start + ROWS_PER_STATEMENT, rows.length));
      }
      return { written };
    },

    /**
     * A page of papers, newest first, or best full-text match first when `q` is given
     * (websearch syntax: quoted phrases, -exclusions, OR), each with its matched topics.
     */
    listPapers: async ({ q, topic, page, pageSize }: { q?: string; topic?: string; page: number; pageSize: number }) => {
      const query = q ? sql`websearch_to_tsquery('english', ${q})` : undefined;
      const conditions = [
        query ? sql`p.search_vector @@ ${query}` : sql`true`,
        topic ? sql`exists (select 1 from paper_topics x join topics xt on xt.id = x.topic_id where x.paper_id = p.id and xt.slug = ${topic})` : sql`true`,
      ];
      const where = sql.join(conditions, sql` and `);
      const order = query ? sql`ts_rank(p.search_vector, ${query}) desc, p.id desc` : sql`p.published_at desc nulls last, p.id desc`;
      const { rows } = await db.execute<TListedPaperRow>(sql`
        select p.id, p.arxiv_id, p.title, p.abstract, p.authors, p.categories, p.published_at, p.upvotes,
          p.github_repo, p.project_page, p.source, p.ingested_at, p.matched_at,
          coalesce((
            select jsonb_agg(jsonb_build_object('slug', t.slug, 'name', t.name, 'score', pt.score, 'matchedTerms', pt.matched_terms) order by pt.score desc)
            from paper_topics pt join topics t on t.id = pt.topic_id where pt.paper_id = p.id
          ), '[]'::jsonb) as topics,
          count(*) over () as total
        from papers p
        where ${where}
        order by ${order}
        limit ${pageSize} offset ${(page - 1) * pageSize}
      `);
      const total = rows[0] ? Number(rows[0].total) : page === 1 ? 0 : (await db.execute<{ total: string }>(sql`select count(*) as total from papers p where ${where}`)).rows[0]!.total;
      return {
        total: Number(total),
        items: rows.map((row) => ({
          id: Number(row.id),
          arxivId: row.arxiv_id,
          title: row.title,
          abstract: row.abstract,
          authors: row.authors,
          categories: row.categories,
          publishedAt: row.published_at ? new Date(row.published_at).toISOString() : null,
          upvotes: row.upvotes,
          githubRepo: row.github_repo,
          projectPage: row.project_page,
          source: row.source,
          ingestedAt: new Date(row.ingested_at).toISOString(),
          matchedAt: row.matched_at ? new Date(row.matched_at).toISOString() : null,
          topics: row.topics,
        })),
      };
    },

    /**
     * Readers may name a liked paper before any ingest brought it: their rows wait with no
     * paper_id. One statement links every waiting row to the stored paper of the same arXiv id.
     */
    resolveLikedPapers: async ({ arxivIds }: { arxivIds: string[] }) => {
      if (arxivIds.length === 0) return;
      await db.execute(sql`
        update subscriber_seed_papers s set paper_id = p.id
        from papers p
        where s.paper_id is null and s.arxiv_id = p.arxiv_id and p.arxiv_id = any(${sqlArray(arxivIds, 'text')})
      `);
    },

    /** Of the given arXiv ids, the papers still waiting for a match (new, changed, or a lost job). */
    findUnmatchedByArxivIds: async ({ arxivIds }: { arxivIds: string[] }) => {
      if (arxivIds.length === 0) return [];
      return db
        .select({ id: papers.id, title: papers.title, abstract: papers.abstract })
        .from(papers)
        .where(sql`${inArray(papers.arxivId, arxivIds)} and ${papers.matchedAt} is null`);
    },
  };
}
