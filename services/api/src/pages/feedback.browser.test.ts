import { paperRatings, papers, paperTopics } from '@paperboy/db';
import { createRun, runSettingsFromConfig } from '@paperboy/domain';
import { insertDigestFixture } from '@paperboy/domain/test-fixtures';
import { artifactPath, configFor, getFreePort, launchBrowser, startSmtpCatcher, useTestContext, type TCaughtMessage } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { startWorker } from './journey.support.ts';

/** The papers of a digest's text part, in order, each with its two feedback links. */
function papersIn(message: TCaughtMessage) {
  const text = message.parsed.text ?? '';
  return [...text.matchAll(/^\d+\. (.+)\n[\s\S]*?More like this: (\S+)\n\s+Less like this: (\S+)$/gm)].map((match) => ({
    title: match[1]!,
    moreUrl: match[2]!,
    lessUrl: match[3]!,
  }));
}

describe('one-click feedback in Chromium', () => {
  const context = useTestContext();
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('a reader opens "Less like this" from a real digest, presses the button, sees what changes, and the rating is stored', async () => {
    const { db } = context.database;
    const fixture = await insertDigestFixture({
      db,
      topicSlugs: ['llms', 'diffusion'],
      paperList: [
        { arxivId: '2611.00031', title: 'Diffusion for everything', upvotes: 50, topics: { diffusion: 5 } },
        { arxivId: '2611.00032', title: 'Language models that plan', upvotes: 40, topics: { llms: 4 } },
      ],
      subscriberList: [{ email: 'reader@example.org', topics: ['llms', 'diffusion'] }],
    });
    const port = await getFreePort();
    const env = { PUBLIC_URL: `http://127.0.0.1:${port}`, DIGEST_SCHEDULES_ENABLED: 'false', DIGEST_SUPERVISOR_INTERVAL_MS: '200' };
    const config = configFor(context, env);
    const catcher = await startSmtpCatcher();
    const worker = await startWorker({ context, catcher, env });
    const app = await buildApp({ config, logger: false });
    await app.listen({ port, host: '127.0.0.1' });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });

    /**
     * Starts a run as the console does and returns the digest the reader gets from it. The second
     * digest falls in the same week, so the admin forces it past the one-digest-per-period rule.
     */
    const sendDigest = async (count: number) => {
      const settings = runSettingsFromConfig(config);
      const { run } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, force: count > 1, now: new Date(), settings });
      await app.queues.enqueue({ queue: 'digest-runs', job: 'start', payload: { runId: run.id }, jobId: `start-${run.id}` });
      const messages = await catcher.waitForMessages(count);
      return { runId: run.id, message: messages[count - 1]! };
    };

    try {
      const first = await sendDigest(1);
      const shown = papersIn(first.message);
      expect(shown.map((paper) => paper.title)).toEqual(['Diffusion for everything', 'Language models that plan']);
      expect(first.message.parsed.html).toContain(`href="${shown[0]!.lessUrl}"`);

      // The link from the mail: a page with the paper and one button; opening it rated nothing.
      await page.goto(shown[0]!.lessUrl);
      await page.getByRole('heading', { name: 'Fewer papers like this?' }).waitFor();
      expect(await page.getByRole('link', { name: 'Diffusion for everything' }).getAttribute('href')).toBe('https://arxiv.org/abs/2611.00031');
      await page.screenshot({ path: await artifactPath('feedback', '01-less-like-this.png'), fullPage: true });
      expect(await db.select().from(paperRatings)).toEqual([]);

      await page.getByRole('button', { name: 'Less like this' }).click();
      await page.getByRole('heading', { name: 'Thanks, noted' }).waitFor();
      expect(await page.getByRole('status').textContent()).toContain('You will see fewer papers like this in your next digests.');
      await page.screenshot({ path: await artifactPath('feedback', '02-noted.png'), fullPage: true });
      const subscriberId = fixture.subscriberId.get('reader@example.org')!;
      expect(await db.select().from(paperRatings).where(eq(paperRatings.subscriberId, subscriberId))).toMatchObject([
        { paperId: fixture.paperId.get('2611.00031'), rating: -1, runId: first.runId },
      ]);

      // Undo is one more press, and the button to rate again is there.
      await page.getByRole('button', { name: 'Undo' }).click();
      await page.getByRole('heading', { name: 'Rating removed' }).waitFor();
      expect(await db.select().from(paperRatings)).toEqual([]);
      await page.getByRole('button', { name: 'Less like this' }).click();
      await page.getByRole('heading', { name: 'Thanks, noted' }).waitFor();
      expect(await db.select().from(paperRatings)).toMatchObject([{ rating: -1 }]);

      // The next digest: two new papers, one like the disliked paper (diffusion) and ranked
      // first by score alone, one like the other (llms).
      for (const { arxivId, title, slug, score } of [
        { arxivId: '2611.00033', title: 'More diffusion', slug: 'diffusion', score: 5 },
        { arxivId: '2611.00034', title: 'Planning with language models', slug: 'llms', score: 4.5 },
      ]) {
        const [row] = await db.insert(papers).values({ arxivId, title, abstract: `Abstract of ${arxivId}.`, upvotes: 45, source: 'test', matchedAt: new Date() }).returning();
        await db.insert(paperTopics).values({ paperId: row!.id, topicId: fixture.topicId.get(slug)!, score, matchedTerms: [slug] });
      }
      const second = await sendDigest(2);
      const next = papersIn(second.message).map((paper) => paper.title);
      expect(next).toEqual(expect.arrayContaining(['More diffusion', 'Planning with language models']));
      // The reader's "less like this" now outweighs the score: the diffusion paper comes later.
      expect(next.indexOf('Planning with language models')).toBeLessThan(next.indexOf('More diffusion'));

      // The preference center lists the rating, removes it, and takes papers the reader liked.
      await page.goto(/Manage your preferences: (\S+)/.exec(second.message.parsed.text ?? '')![1]!);
      const rated = page.getByRole('region', { name: 'Papers you rated' });
      expect(await rated.getByRole('listitem').textContent()).toMatch(/Less like this:\s+Diffusion for everything/);
      await page.getByRole('textbox', { name: /Papers you liked/ }).fill('https://arxiv.org/abs/2611.00034v2, not-an-id');
      await page.getByRole('button', { name: 'Save liked papers' }).click();
      expect(await page.locator('#likedPapers-error').textContent()).toBe('"not-an-id" is not an arXiv id or arxiv.org link');
      await page.getByRole('textbox', { name: /Papers you liked/ }).fill('https://arxiv.org/abs/2611.00034v2');
      await page.getByRole('button', { name: 'Save liked papers' }).click();
      await page.getByRole('status').waitFor();
      expect(await page.getByRole('region', { name: 'Papers you liked' }).getByRole('listitem').textContent()).toContain('Planning with language models');
      await page.screenshot({ path: await artifactPath('feedback', '03-preferences.png'), fullPage: true });
      await rated.getByRole('button', { name: 'Remove your rating of Diffusion for everything' }).click();
      await page.getByRole('status').waitFor();
      expect(await page.getByRole('status').textContent()).toContain('That rating was removed.');
      expect(await db.select().from(paperRatings)).toEqual([]);

      expect(cspViolations).toEqual([]);
    } finally {
      await page.close();
      await app.close();
      await worker.close();
      await catcher.close();
    }
  });
});
