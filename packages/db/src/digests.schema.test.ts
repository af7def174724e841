import { useTestContext } from '@paperboy/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';

describe('the digest tables', () => {
  const context = useTestContext();

  it('a paper a reader received stays recorded when its run (and so its delivery) is deleted', async () => {
    const { db } = context.database;
    await db.execute(sql`
      with reader as (
        insert into subscribers (email, email_hash, status, frequency, digest_size) values ('kept@example.org', md5('kept'), 'confirmed', 'weekly', 5) returning id
      ), paper as (
        insert into papers (arxiv_id, title, abstract, authors, upvotes, source) values ('2611.99999', 'Kept', 'Abstract.', array['Ada'], 1, 'test') returning id
      ), run as (
        insert into digest_runs (frequency, period_key, period_start, period_end, trigger) values ('weekly', '2026-W48', now(), now(), 'admin') returning id
      ), delivery as (
        insert into deliveries (run_id, subscriber_id, paper_ids, state) select run.id, reader.id, array[paper.id], 'sent' from run, reader, paper returning id, subscriber_id, paper_ids
      )
      insert into sent_papers (subscriber_id, paper_id, delivery_id) select subscriber_id, paper_ids[1], id from delivery`);
    await db.execute(sql`delete from digest_runs where period_key = '2026-W48'`);
    const { rows } = await db.execute<{ delivery_id: string | null }>(sql`
      select sp.delivery_id from sent_papers sp join subscribers s on s.id = sp.subscriber_id where s.email = 'kept@example.org'`);
    expect(rows).toEqual([{ delivery_id: null }]);
  });

  it('a run that does not say who started it is refused, not taken for an admin run', async () => {
    await expect(
      context.database.db.execute(sql`insert into digest_runs (frequency, period_key, period_start, period_end) values ('weekly', '2026-W49', now(), now())`),
    ).rejects.toThrow();
  });

  it("every foreign key of sent_papers leads an index, so deleting a paper, reader or delivery does not scan the history", async () => {
    const { rows } = await context.database.db.execute<{ name: string }>(sql`
      select c.conname as name
      from pg_constraint c
      where c.conrelid = 'sent_papers'::regclass and c.contype = 'f'
        and not exists (
          select 1 from pg_index i where i.indrelid = c.conrelid and (i.indkey::int2[])[0] = c.conkey[1]
        )`);
    expect(rows).toEqual([]);
  });
});
