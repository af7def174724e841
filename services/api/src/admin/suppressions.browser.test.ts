import { subscribers } from '@paperboy/db';
import { classifySmtpReply, hashEmail, recordBounce, suppressAddress } from '@paperboy/domain';
import { artifactPath, configFor, getFreePort, launchBrowser, useTestContext } from '@paperboy/testing';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';

const ADMIN_TOKEN = 'admin-token-for-the-suppressions-test';
const SECRET_KEY = 'suppressions-browser-secret-0123456789abcdef';

describe('the suppression list in Chromium', () => {
  const context = useTestContext();
  let browser: Browser;
  let app: FastifyInstance;
  let baseUrl: string;

  beforeAll(async () => {
    const db = context.database.db;
    const [row] = await db
      .insert(subscribers)
      .values({ email: 'dead@example.org', emailHash: hashEmail({ secretKey: SECRET_KEY, email: 'dead@example.org' }), status: 'confirmed' })
      .returning();
    await recordBounce({ db, subject: { subscriberId: row!.id, deliveryId: undefined }, bounce: classifySmtpReply({ enhancedStatus: '5.1.1', phase: 'report' }), source: 'dsn', softBounceLimit: 3 });
    await suppressAddress({ db, secretKey: SECRET_KEY, email: 'never-subscribed@example.org' });
    const port = await getFreePort();
    baseUrl = `http://127.0.0.1:${port}`;
    app = await buildApp({ config: configFor(context, { ADMIN_TOKEN, SECRET_KEY, PUBLIC_URL: baseUrl }), logger: false });
    await app.listen({ port, host: '127.0.0.1' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('shows why each address is suppressed and lifts one with its button', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${baseUrl}/admin/suppressions`);
      await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Suppressed addresses' }).waitFor();
      const bounced = page.getByRole('row').filter({ hasText: 'dead@example.org' });
      await expect(bounced.getByRole('cell').allInnerTexts()).resolves.toEqual(expect.arrayContaining(['Hard bounce', '5.1.1 hard', 'dsn']));
      // Suppressed by hand with no subscriber behind it: only the start of the hash is shown.
      const byHand = page.getByRole('row').filter({ hasText: 'Added by hand' });
      expect(await byHand.innerText()).toMatch(/hash [0-9a-f]{12}…/);
      await page.screenshot({ path: await artifactPath('admin', 'suppressions.png'), fullPage: true });

      await bounced.getByRole('button', { name: 'Lift the suppression of dead@example.org' }).click();
      await page.getByRole('status').filter({ hasText: 'The suppression was lifted' }).waitFor();
      expect(await page.getByRole('row').filter({ hasText: 'dead@example.org' }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Suppressions' }).getAttribute('aria-current')).toBe('page');
    } finally {
      await page.close();
    }
  });
});
