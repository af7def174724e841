import { sqlArray, type TDb } from '@paperboy/db';
import { sql } from 'drizzle-orm';

// Synthetic data at benchmark scale, written with set-based SQL (a million rows in seconds).
// Choices are random but seeded, so two runs of the benchmark plan the same deliveries.

export const KEYWORD_POOL = [
  'speculative decoding', 'kv cache', 'mixture of experts', 'lora', 'quantization', 'pruning', 'distillation',
  'flash attention', 'state space model', 'diffusion transformer', 'score matching', 'variational inference',
  'gaussian process', 'tensor train', 'neural tangent kernel', 'federated learning', 'differential privacy',
  'machine unlearning', 'nerf', 'gaussian splatting', 'video generation', 'reward model', 'rlhf', 'dpo',
  'retrieval augmented generation', 'chain of thought', 'in-context learning', 'scaling laws', 'sparse attention',
  'low-rank adaptation', 'vision transformer', 'contrastive learning', 'normalizing flow', 'autoregressive model',
  'image compression', 'point cloud', 'graph neural network', 'bayesian optimization', 'monte carlo', 'adam',
];

export async function seedRandom(db: TDb, seed = 0.42) {
  await db.execute(sql`select setseed(${seed})`);
}

/** Gives `count` papers (already stored) random topic and keyword matches, as the matcher would. */
export async function matchPapersRandomly({ db, paperIds }: { db: TDb; paperIds: number[] }) {
  await db.execute(sql`
    insert into keywords (phrase) select unnest(${sqlArray(KEYWORD_POOL, 'text')}) on conflict do nothing
  `);
  await db.execute(sql`
    insert into paper_topics (paper_id, topic_id, score, matched_terms)
    select p.id, t.id, round((0.2 + random() * 0.8)::numeric, 3)::real, array[t.slug]
    from unnest(${sqlArray(paperIds, 'bigint')}) as p(id)
    cross join lateral (select id, slug from topics order by random() + p.id * 0 limit 1 + floor(random() * 3)::int) t
    on conflict do nothing
  `);
  await db.execute(sql`
    insert into paper_keywords (paper_id, keyword_id, score)
    select p.id, k.id, round((0.3 + random() * 0.7)::numeric, 3)::real
    from unnest(${sqlArray(paperIds, 'bigint')}) as p(id)
    cross join keywords k
    where random() < 0.03
    on conflict do nothing
  `);
  await db.execute(sql`update papers set matched_at = now() where id = any(${sqlArray(paperIds, 'bigint')})`);
}

/** Papers stored directly (the ingest path is measured on its own), ingested now or `ingestedDaysAgo`. */
export async function insertPapers({ db, count, prefix, ingestedDaysAgo = 0 }: { db: TDb; count: number; prefix: string; ingestedDaysAgo?: number }): Promise<number[]> {
  const { rows } = await db.execute<{ id: string }>(sql`
    insert into papers (arxiv_id, title, abstract, authors, upvotes, source, ingested_at)
    select ${prefix} || '.' || lpad(n::text, 5, '0'),
           'Synthetic paper ' || n || ' on efficient inference and quantization',
           repeat('An abstract sentence about models, data and results. ', 12),
           array['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov'],
           floor(random() * 300)::int, 'bench', now() - make_interval(days => ${ingestedDaysAgo})
    from generate_series(1, ${count}) as n
    returning id
  `);
  return rows.map((row) => Number(row.id));
}

/** Confirmed subscribers with 1-4 random topics, 0-2 random keywords and a random digest size. */
export async function insertSubscribers({ db, count, domain }: { db: TDb; count: number; domain: string }) {
  await db.execute(sql`
    insert into subscribers (email, email_hash, status, frequency, digest_size, confirmed_at)
    select 'reader' || n || '@' || ${domain}, md5(${domain} || n), 'confirmed', 'weekly',
           (array[5, 10, 20])[1 + floor(random() * 3)::int], now()
    from generate_series(1, ${count}) as n
  `);
  await db.execute(sql`
    insert into subscriber_topics (subscriber_id, topic_id)
    select s.id, t.id
    from subscribers s
    cross join lateral (
      select id from topics order by random() + length(s.email_hash) * 0 limit 1 + floor(random() * 4)::int
    ) t
    where s.email like ${'%@' + domain}
    on conflict do nothing
  `);
  await db.execute(sql`
    insert into subscriber_keywords (subscriber_id, keyword_id)
    select s.id, k.id
    from subscribers s
    cross join lateral (
      select id from keywords order by random() + length(s.email_hash) * 0 limit floor(random() * 3)::int
    ) k
    where s.email like ${'%@' + domain}
    on conflict do nothing
  `);
}

// Words for varied synthetic text: the keyword pool's words and the common words of abstracts.
const WORDS = [
  ...new Set([
    ...KEYWORD_POOL.flatMap((phrase) => phrase.split(' ')),
    ...('model models training data method results performance network networks learning approach task tasks dataset benchmark ' +
    'accuracy efficient scalable robust theory analysis bound optimal sample complexity latency memory throughput inference ' +
    'representation features loss objective gradient layer layers token tokens image images video text language graph policy ' +
    'reward agent environment uncertainty posterior prior kernel sparse dense low rank compression hardware gpu').split(' '),
  ]),
];

/** Gives papers random titles (8 words) and abstracts (120 words), so their TF-IDF vectors differ as real ones do. */
export async function varyPaperText({ db, paperIds }: { db: TDb; paperIds: number[] }) {
  const words = sqlArray(WORDS, 'text');
  await db.execute(sql`
    update papers p set
      title = (select string_agg((${words})[1 + floor(random() * ${WORDS.length})::int], ' ') from generate_series(1, 8 + (p.id * 0)::int)),
      abstract = (select string_agg((${words})[1 + floor(random() * ${WORDS.length})::int], ' ') from generate_series(1, 120 + (p.id * 0)::int))
    where p.id = any(${sqlArray(paperIds, 'bigint')})
  `);
}

/** A `share` of the domain's subscribers rate 10 to 50 of `paperIds` (60% up); returns how many rated. */
export async function insertRatings({ db, domain, share, paperIds }: { db: TDb; domain: string; share: number; paperIds: number[] }): Promise<number> {
  const { rows } = await db.execute<{ raters: number }>(sql`
    with raters as (
      select id from subscribers where email like ${'%@' + domain} and random() < ${share}
    ),
    inserted as (
      insert into paper_ratings (subscriber_id, paper_id, rating)
      select r.id, (${sqlArray(paperIds, 'bigint')})[1 + floor(random() * ${paperIds.length})::int], case when random() < 0.6 then 1 else -1 end
      from raters r
      cross join lateral generate_series(1, 10 + floor(random() * 41)::int + (length(r.id::text) * 0)) as n
      on conflict do nothing
      returning subscriber_id
    )
    select count(distinct subscriber_id)::int as raters from inserted
  `);
  return rows[0]?.raters ?? 0;
}
