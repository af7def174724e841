import { loadConfig } from '@paperboy/config';
import { compileDigestTemplate } from '@paperboy/email';
import { useTestContext } from '@paperboy/testing';
import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDigestComposerFromConfig, shortenAuthors, trimAbstract, type TDigestComposer } from './digests.composer.ts';
import type { TClaimedDelivery } from './digests.deliveries.repository.ts';
import { insertDigestFixture } from './digests.test-fixtures.ts';

describe('the digest composer', () => {
  const context = useTestContext();
  let composer: TDigestComposer;
  let fixture: Awaited<ReturnType<typeof insertDigestFixture>>;

  beforeAll(async () => {
    fixture = await insertDigestFixture({
      db: context.database.db,
      topicSlugs: ['llms', 'diffusion'],
      paperList: [
        { arxivId: '2611.00003', upvotes: 40, topics: { llms: 3, diffusion: 4 } },
        { arxivId: '2611.00004', upvotes: 1, topics: { diffusion: 5.4 }, keywords: { 'speculative decoding': 4.8 } },
      ],
      subscriberList: [{ email: 'ada@example.org', topics: ['llms'] }],
    });
    const config = loadConfig({ env: { PUBLIC_URL: 'https://paperboy.test', UNSUBSCRIBE_MAILTO: 'unsubscribe@paperboy.test' } });
    composer = createDigestComposerFromConfig({ db: context.database.db, config, template: await compileDigestTemplate() });
  });

  function compose({ topics, keywords, likedPaperIds = [] }: { topics: string[]; keywords: number[]; likedPaperIds?: number[] }) {
    return composer.compose(deliveryFor({ topics, keywords, likedPaperIds }));
  }

  function deliveryFor({ topics, keywords, likedPaperIds = [] }: { topics: string[]; keywords: number[]; likedPaperIds?: number[] }): TClaimedDelivery {
    return {
      id: '00000000-0000-4000-8000-00000000000a',
      runId: '00000000-0000-4000-8000-00000000000b',
      subscriberId: fixture.subscriberId.get('ada@example.org')!,
      email: 'ada@example.org',
      frequency: 'weekly',
      attempts: 1,
      likedPaperIds,
      paperIds: [fixture.paperId.get('2611.00003')!, fixture.paperId.get('2611.00004')!],
      topicIds: topics.map((slug) => fixture.topicId.get(slug)!),
      keywordIds: keywords,
    };
  }

  it('explains each paper by the subscriber’s own topics and keywords, best match first', async () => {
    const keywordId = (await context.database.db.query.keywords.findFirst())!.id;
    const email = await compose({ topics: ['llms', 'diffusion'], keywords: [keywordId] });
    expect(email.text).toContain('40 upvotes · Why you got this: Topic diffusion (diffusion); Topic llms (llms)\n');
    expect(email.text).toContain('1 upvote · Why you got this: Topic diffusion (diffusion); “speculative decoding”\n');
    // The upvotes are shown once per paper, not again in the "why" line.
    expect(email.text.match(/40 upvotes/g)).toHaveLength(1);
    expect(email.html.match(/40 upvotes/g)).toHaveLength(1);
  });

  it('leaves out topics the subscriber did not choose', async () => {
    const email = await compose({ topics: ['llms'], keywords: [] });
    expect(email.text).toContain('40 upvotes · Why you got this: Topic llms (llms)\n');
    // Preferences changed since planning: the paper's best match still explains it.
    expect(email.text).toContain('1 upvote · Why you got this: Topic diffusion (diffusion)\n');
  });

  it('names the paper the reader rated up when their ratings brought a paper, and only for that paper', async () => {
    const email = await compose({ topics: ['llms'], keywords: [], likedPaperIds: [0, fixture.paperId.get('2611.00003')!] });
    expect(email.text).toContain('40 upvotes · Why you got this: Topic llms (llms)\n');
    expect(email.text).toContain('1 upvote · Why you got this: Like “Paper 2611.00003”, which you rated up; Topic diffusion (diffusion)\n');
  });

  it('carries the one-click and mailto unsubscribe headers and a deterministic Message-ID', async () => {
    const message = await composer.composeMessage(deliveryFor({ topics: ['llms'], keywords: [] }));
    const parsed = await simpleParser(message.raw);
    expect(message.messageId).toBe('<digest-00000000-0000-4000-8000-00000000000a@paperboy.test>');
    expect(parsed.messageId).toBe(message.messageId);
    // mailparser gathers the List-* headers under "list".
    const list = parsed.headers.get('list') as { unsubscribe: { url: string } };
    expect(list.unsubscribe.url).toMatch(/^https:\/\/paperboy\.test\/unsubscribe\/[^>]+$/);
    expect(list).toEqual({
      unsubscribe: { url: list.unsubscribe.url, mail: 'unsubscribe@paperboy.test?subject=unsubscribe' },
      'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' },
      id: { name: 'Paperboy weekly digest', id: 'weekly.digest.paperboy.test' },
    });
    expect(parsed.subject).toBe('Your weekly Paperboy: 2 new papers for you');
    expect(message.envelope).toEqual({ from: 'digest@paperboy.localhost', to: ['ada@example.org'] });
  });

  it('shortens long author lists and trims long abstracts at a word', () => {
    expect(shortenAuthors(['A', 'B', 'C', 'D', 'E'])).toBe('A, B, C et al.');
    expect(shortenAuthors(['A', 'B', 'C', 'D'])).toBe('A, B, C, D');
    const trimmed = trimAbstract('word '.repeat(200));
    expect(trimmed.length).toBeLessThanOrEqual(421);
    expect(trimmed.endsWith('word…')).toBe(true);
  });
});
