import { loadConfig } from '@paperboy/config';
import { compileDigestTemplate } from '@paperboy/email';
import { useTestContext } from '@paperboy/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDigestComposerFromConfig, shortenAuthors, trimAbstract, type TDigestComposer } from './digests.composer.ts';
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
    return composer.compose({
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
    });
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
    const email = await compose({ topics: ['llms'], keywords: [] });
    expect(email.messageId).toBe('<digest-00000000-0000-4000-8000-00000000000a@paperboy.test>');
    expect(email.headers?.['List-Unsubscribe']).toMatch(/^<https:\/\/paperboy\.test\/unsubscribe\/[^>]+>, <mailto:unsubscribe@paperboy\.test\?subject=unsubscribe>$/);
    expect(email.headers?.['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(email.subject).toBe('Your weekly Paperboy: 2 new papers for you');
  });

  it('shortens long author lists and trims long abstracts at a word', () => {
    expect(shortenAuthors(['A', 'B', 'C', 'D', 'E'])).toBe('A, B, C et al.');
    expect(shortenAuthors(['A', 'B', 'C', 'D'])).toBe('A, B, C, D');
    const trimmed = trimAbstract('word '.repeat(200));
    expect(trimmed.length).toBeLessThanOrEqual(421);
    expect(trimmed.endsWith('word…')).toBe(true);
  });
});
