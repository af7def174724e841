import { loadConfig } from '@paperboy/config';
import { compileDigestTemplate } from '@paperboy/email';
import { artifactPath, launchBrowser, useTestContext } from '@paperboy/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDigestComposerFromConfig } from './digests.composer.ts';
import { insertDigestFixture } from './digests.test-fixtures.ts';

describe('the digest in a browser', () => {
  const context = useTestContext();
  let browser: Browser;
  let html: string;

  beforeAll(async () => {
    const fixture = await insertDigestFixture({
      db: context.database.db,
      topicSlugs: ['llms'],
      paperList: [
        { arxivId: '2611.00001', upvotes: 142, title: 'GPTQ-2: Accurate Post-Training Quantization for Generative Pre-trained Transformers', topics: { llms: 1 } },
        { arxivId: '2611.00002', upvotes: 37, title: 'Sparse Subspace Variational Inference for Bayesian Neural Networks', topics: { llms: 0.6 } },
        { arxivId: '2611.00003', upvotes: 5, title: 'A title with a very-long-unbreakable-word-that-could-overflow-narrow-screens-if-the-layout-is-careless', topics: { llms: 0.4 } },
      ],
      subscriberList: [{ email: 'ada@example.org', topics: ['llms'] }],
    });
    const config = loadConfig({ env: { PUBLIC_URL: 'https://paperboy.test' } });
    const composer = createDigestComposerFromConfig({ db: context.database.db, config, template: await compileDigestTemplate() });
    const email = await composer.compose({
      id: '00000000-0000-4000-8000-000000000001',
      runId: '00000000-0000-4000-8000-000000000002',
      subscriberId: fixture.subscriberId.get('ada@example.org')!,
      email: 'ada@example.org',
      frequency: 'weekly',
      attempts: 1,
      likedPaperIds: [],
      paperIds: [...fixture.paperId.values()],
      topicIds: [fixture.topicId.get('llms')!],
      keywordIds: [],
    });
    html = email.html;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  for (const viewport of [
    { name: 'desktop', width: 1280, height: 900 },
    { name: 'phone', width: 375, height: 812 },
  ]) {
    it(`reads well at ${viewport.width} px wide: every paper shown, nothing wider than the screen`, async () => {
      const page = await browser.newPage({ viewport: { width: viewport.width, height: viewport.height } });
      await page.setContent(html, { waitUntil: 'load' });
      const titles = await page.locator('a', { hasText: 'GPTQ-2' }).count();
      expect(titles).toBeGreaterThan(0);
      await expect(page.getByText('Why you got this: Topic llms (llms)', { exact: true }).first().isVisible()).resolves.toBe(true);
      await expect(page.getByText('▲ 5 upvotes').first().isVisible()).resolves.toBe(true);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: await artifactPath('digest', `digest-${viewport.name}.png`), fullPage: true });
      await page.close();
    });
  }
});
