import { loadConfig } from '@paperboy/config';
import { compileDigestTemplate } from '@paperboy/email';
import { useTestContext } from '@paperboy/testing';
import { describe, expect, it } from 'vitest';
import { createDigestComposerFromConfig } from '../digests/digests.composer.ts';
import { insertDigestFixture } from '../digests/digests.test-fixtures.ts';
import { verifyFeedbackToken } from './feedback.tokens.ts';

const SECRET_KEY = 'digest-feedback-secret-key-0123456789abcdef';

describe('feedback links in a digest', () => {
  const context = useTestContext();

  it('every paper carries "more like this" and "less like this" links for this reader, paper and run, in both parts', async () => {
    const fixture = await insertDigestFixture({
      db: context.database.db,
      topicSlugs: ['llms'],
      paperList: [
        { arxivId: '2611.00011', upvotes: 3, topics: { llms: 2 } },
        { arxivId: '2611.00012', upvotes: 2, topics: { llms: 1 } },
      ],
      subscriberList: [{ email: 'ada@example.org', topics: ['llms'] }],
    });
    const config = loadConfig({ env: { PUBLIC_URL: 'https://paperboy.test', SECRET_KEY } });
    const composer = createDigestComposerFromConfig({ db: context.database.db, config, template: await compileDigestTemplate() });
    const subscriberId = fixture.subscriberId.get('ada@example.org')!;
    const runId = '00000000-0000-4000-8000-00000000000b';
    const paperIds = [fixture.paperId.get('2611.00011')!, fixture.paperId.get('2611.00012')!];
    const email = await composer.compose({
      id: '00000000-0000-4000-8000-00000000000a',
      runId,
      subscriberId,
      email: 'ada@example.org',
      frequency: 'weekly',
      attempts: 1,
      likedPaperIds: [],
      paperIds,
      topicIds: [fixture.topicId.get('llms')!],
      keywordIds: [],
    });
    const inText = [...email.text.matchAll(/(More|Less) like this: https:\/\/paperboy\.test\/feedback\/([\w.-]+)/g)];
    expect(inText.map((match) => match[1])).toEqual(['More', 'Less', 'More', 'Less']);
    const checks = inText.map((match) => verifyFeedbackToken({ secretKey: SECRET_KEY, token: match[2]! }));
    expect(checks).toEqual([
      { isValid: true, subscriberId, paperId: paperIds[0], runId, rating: 1 },
      { isValid: true, subscriberId, paperId: paperIds[0], runId, rating: -1 },
      { isValid: true, subscriberId, paperId: paperIds[1], runId, rating: 1 },
      { isValid: true, subscriberId, paperId: paperIds[1], runId, rating: -1 },
    ]);
    for (const match of inText) {
      const label = `${match[1]} like this`;
      expect(email.html).toMatch(new RegExp(`<a href="https://paperboy\\.test/feedback/${match[2]!.replaceAll('.', '\\.')}"[^>]*>${label}</a>`));
    }
  });
});
