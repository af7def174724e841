import { repoPath } from '@paperboy/runtime';
import { insertDigestFixture } from '@paperboy/domain/test-fixtures';
import { artifactPath, configFor, getFreePort, launchBrowser, startSmtpCatcher, useTestContext, type TSmtpCatcher } from '@paperboy/testing';
import type { TWorkerRuntime } from '@paperboy/worker';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { startWorker } from '../pages/journey.support.ts';

const ADMIN_TOKEN = 'admin-token-for-the-browser-test';

describe('the admin console in Chromium', () => {
  const context = useTestContext();
  let browser: Browser;
  let catcher: TSmtpCatcher;
  let worker: TWorkerRuntime;
  let app: FastifyInstance;
  let baseUrl: string;

  beforeAll(async () => {
    await insertDigestFixture({
      db: context.database.db,
      topicSlugs: ['llms', 'vision'],
      paperList: [
        { arxivId: '2611.00001', title: 'Speculative decoding <at> scale', upvotes: 40, topics: { llms: 3.2 } },
        { arxivId: '2611.00002', upvotes: 400, topics: { llms: 1.6, vision: 2 } },
      ],
      subscriberList: [
        { email: 'ada@example.org', topics: ['llms'] },
        { email: 'bob@example.org', topics: ['llms', 'vision'] },
        { email: 'pending@example.org', status: 'pending', topics: ['llms'] },
      ],
    });
    const port = await getFreePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const env = { ADMIN_TOKEN, PUBLIC_URL: baseUrl, DIGEST_SCHEDULES_ENABLED: 'false', DIGEST_SUPERVISOR_INTERVAL_MS: '200' };
    catcher = await startSmtpCatcher();
    worker = await startWorker({ context, catcher, env });
    app = await buildApp({ config: configFor(context, env), logger: false });
    await app.listen({ port, host: '127.0.0.1' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await worker?.close();
    await catcher?.close();
  });

  const shoot = async (page: Page, name: string) => page.screenshot({ path: await artifactPath('admin', `${name}.png`), fullPage: true });

  it('signs in, previews a digest, runs a dry run then a real run to done, and opens a subscriber history', async () => {
    const browserContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await browserContext.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(`${page.url()}: ${message.text()}`);
    });
    try {
      // Any console page without a session lands on the sign-in form.
      await page.goto(`${baseUrl}/admin/digests`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await shoot(page, '01-sign-in');
      await page.getByLabel('Admin token').fill('wrong-token-wrong-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('That is not the admin token.').waitFor();
      await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Digests' }).waitFor();
      const [session] = (await browserContext.cookies()).filter((cookie) => cookie.name === 'paperboy_admin');
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });

      await page.getByRole('link', { name: 'Dashboard' }).click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      expect(await page.locator('svg[role="img"] polyline').count()).toBe(1);
      await shoot(page, '02-dashboard');

      // Papers: search, then upload a JSON Lines file and read the per-item report.
      await page.getByRole('link', { name: 'Papers', exact: true }).click();
      await page.getByRole('searchbox', { name: 'Search' }).fill('speculative decoding');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: 'Speculative decoding <at> scale' }).waitFor();
      await shoot(page, '03-papers-search');
      await page.getByText('Upload papers').click();
      await page.getByLabel(/Paperboy JSON/).setInputFiles(repoPath('packages/domain/src/papers/fixtures/paperboy.jsonl'));
      await page.getByRole('button', { name: 'Ingest' }).click();
      await page.getByRole('heading', { name: 'Ingested paperboy.jsonl' }).waitFor();
      expect(await page.locator('.report').textContent()).toMatch(/2 received, 2 stored\s+\(2 new/);
      await shoot(page, '04-papers-upload-report');

      await page.getByRole('link', { name: 'Topics' }).click();
      await page.getByRole('link', { name: 'Topic llms' }).click();
      await page.getByRole('heading', { name: 'Papers it caught in the last 30 days' }).waitFor();
      expect(await page.getByText('Speculative decoding <at> scale').count()).toBe(1);
      await shoot(page, '05-topic');

      // The digest ada would get now, rendered in a sandboxed iframe as a mail client would.
      await page.getByRole('link', { name: 'Digests' }).click();
      await page.getByLabel('Subscriber address or id').fill('ada@example.org');
      await page.getByRole('button', { name: 'Preview' }).click();
      const preview = page.frameLocator('iframe[title="Digest preview"]');
      await preview.getByText('Speculative decoding <at> scale', { exact: true }).first().waitFor();
      await shoot(page, '06-digest-preview');

      // Dry run first: the counts, then a confirm button.
      await page.getByRole('link', { name: 'Digests' }).click();
      await page.getByRole('button', { name: 'Dry run' }).click();
      await page.getByRole('heading', { name: /Dry run: weekly digest/ }).waitFor();
      expect(await page.locator('#would-receive').textContent()).toBe('2');
      expect(catcher.messages).toHaveLength(0);
      await shoot(page, '07-dry-run');

      await page.getByRole('button', { name: 'Confirm: send to 2 subscribers' }).click();
      await page.getByText('The run was planned and handed to the worker.').waitFor();
      // The page refreshes itself while the run is active; wait for it to say done.
      await page.locator('#run-state', { hasText: 'done' }).waitFor({ timeout: 20_000 });
      expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
      await shoot(page, '08-run-done');
      expect((await catcher.waitForMessages(2)).map((message) => message.envelope.to[0]).sort()).toEqual(['ada@example.org', 'bob@example.org']);

      // One digest per reader per period: a second dry run skips both, unless asked to mail them again.
      await page.getByRole('link', { name: 'Digests' }).click();
      await page.getByRole('button', { name: 'Dry run' }).click();
      expect(await page.locator('#would-receive').textContent()).toBe('0');
      expect(await page.locator('#already-mailed').textContent()).toBe('2');
      await page.getByRole('link', { name: 'Digests' }).click();
      await page.getByLabel('Send again to readers already mailed this period').check();
      await page.getByRole('button', { name: 'Dry run' }).click();
      // Forced, they are in the audience again, but every paper of the period already reached them.
      await page.locator('#force-warning').waitFor();
      expect(await page.locator('#would-receive').textContent()).toBe('0');
      expect(await page.locator('#already-mailed').count()).toBe(0);
      await page.getByRole('button', { name: 'Confirm: send to 0 subscribers, mailing again those already mailed this period' }).waitFor();
      await shoot(page, '08b-dry-run-forced');

      // A subscriber's history: the digest they got and the consent log.
      await page.getByRole('link', { name: 'Subscribers' }).click();
      await page.getByRole('searchbox', { name: 'Address' }).fill('ada');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: 'ada@example.org' }).click();
      await page.getByRole('heading', { name: 'Digests received' }).waitFor();
      const delivery = page.locator('section', { hasText: 'Digests received' }).locator('tbody tr').first();
      expect(await delivery.textContent()).toContain('sent');
      await shoot(page, '09-subscriber-history');

      await page.getByRole('link', { name: 'Dashboard' }).click();
      await page.getByRole('progressbar').first().waitFor();
      await shoot(page, '10-dashboard-after-run');
      expect(cspViolations).toEqual([]);

      // The BullMQ dashboard, behind the same sign-in.
      await page.getByRole('link', { name: 'Queues' }).click();
      await page.getByText('digest-sends').first().click({ timeout: 10_000 });
      await page.waitForLoadState('networkidle');
      await shoot(page, '11-queues');

      await page.goto(`${baseUrl}/admin`);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.goto(`${baseUrl}/admin/subscribers`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    } catch (error) {
      await shoot(page, 'zz-failure');
      throw error;
    } finally {
      await browserContext.close();
    }
  }, 90_000);
});
