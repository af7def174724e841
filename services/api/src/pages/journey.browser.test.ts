import { mkdir, readFile } from 'node:fs/promises';
import { repoPath } from '@paperboy/runtime';
import { subscribers } from '@paperboy/db';
import { configFor, getFreePort, startSmtpCatcher, useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { linkIn, listUnsubscribeUrl, seedTestTopics, startWorker } from './journey.support.ts';

const ARTIFACTS = repoPath('test-artifacts', 'subscriptions');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

describe('the subscriber journey in Chromium', () => {
  const context = useTestContext();
  let browser: Browser;

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  const shoot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });

  it('signs up from GET /, fixes a field error, confirms from the email, changes preferences, downloads its data and unsubscribes', async () => {
    await seedTestTopics(context.database.db);
    const port = await getFreePort();
    const env = { PUBLIC_URL: `http://127.0.0.1:${port}` };
    const catcher = await startSmtpCatcher();
    const worker = await startWorker({ context, catcher, env });
    const app = await buildApp({ config: configFor(context, env), logger: false });
    await app.listen({ port, host: '127.0.0.1' });
    const browserContext = await browser.newContext({ viewport: { width: 390, height: 844 }, acceptDownloads: true });
    const page = await browserContext.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    try {
      // The signup page, from the real server, with topics from the database.
      await page.goto(`${env.PUBLIC_URL}/`);
      await page.getByRole('heading', { name: 'Papers worth reading, in your inbox' }).waitFor();
      expect(await page.getByText('Training, prompting and evaluating LLMs').isVisible()).toBe(true);
      expect(await page.getByRole('checkbox').count()).toBe(3);
      await shoot(page, '01-signup');

      // A bad address: the form comes back with the message beside the field and the values kept.
      await page.getByLabel('Email address').fill('ada-at-example.org');
      await page.getByRole('checkbox', { name: /Robotics/ }).check();
      await page.getByLabel(/Keywords/).fill('speculative decoding');
      await page.getByRole('radio', { name: 'Daily' }).check();
      await page.getByRole('button', { name: 'Subscribe' }).click();
      await page.waitForLoadState();
      expect(await page.locator('#email-error').textContent()).toContain('must be an email address');
      expect(await page.getByLabel('Email address').getAttribute('aria-describedby')).toBe('email-error');
      expect(await page.getByRole('alert').count()).toBe(1);
      expect(await page.getByRole('checkbox', { name: /Robotics/ }).isChecked()).toBe(true);
      expect(await page.getByLabel(/Keywords/).inputValue()).toBe('speculative decoding');
      expect(await page.getByRole('radio', { name: 'Daily' }).isChecked()).toBe(true);
      await shoot(page, '02-signup-field-error');

      await page.getByLabel('Email address').fill('ada@example.org');
      await page.getByRole('button', { name: 'Subscribe' }).click();
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
      await shoot(page, '03-check-your-inbox');

      // Follow the link in the email the worker sent.
      const [confirmation] = await catcher.waitForMessages(1);
      await page.goto(linkIn(confirmation!, 'confirm'));
      await page.getByRole('heading', { name: 'Confirm your subscription' }).waitFor();
      await shoot(page, '04-confirm-button');
      await page.getByRole('button', { name: 'Confirm my subscription' }).click();
      await page.getByRole('heading', { name: "You're subscribed" }).waitFor();
      await shoot(page, '04-confirmed');

      await page.getByRole('link', { name: 'Manage your preferences' }).click();
      await page.getByRole('heading', { name: 'Your preferences' }).waitFor();
      expect(await page.getByRole('checkbox', { name: /Robotics/ }).isChecked()).toBe(true);
      await shoot(page, '05-preferences');

      await page.getByRole('checkbox', { name: /Diffusion models/ }).check();
      await page.getByLabel(/Keywords/).fill('speculative decoding, world models');
      await page.getByRole('radio', { name: '20' }).check();
      await page.getByRole('button', { name: 'Save preferences' }).click();
      await page.getByRole('status').waitFor();
      expect(await page.getByRole('status').textContent()).toContain('Your preferences were saved.');
      await shoot(page, '06-preferences-saved');
      const [saved] = await context.database.db.select().from(subscribers).where(eq(subscribers.email, 'ada@example.org'));
      expect(saved).toMatchObject({ status: 'confirmed', frequency: 'daily', digestSize: 20 });

      const downloading = page.waitForEvent('download');
      await page.getByRole('link', { name: 'Download my data' }).click();
      const download = await downloading;
      const exported = JSON.parse(await readFile(await download.path(), 'utf8')) as { subscriber: { email: string }; consentLog: { kind: string }[] };
      expect(exported.subscriber.email).toBe('ada@example.org');
      expect(exported.consentLog.map((event) => event.kind)).toEqual(['signup', 'confirm', 'preferences_changed']);

      // The unsubscribe page from the email footer: one button.
      await page.goto(listUnsubscribeUrl(confirmation!));
      await shoot(page, '07-unsubscribe');
      await page.getByRole('button', { name: 'Unsubscribe' }).click();
      await page.getByRole('heading', { name: "You're unsubscribed" }).waitFor();
      await shoot(page, '08-unsubscribed');
      const [gone] = await context.database.db.select().from(subscribers).where(eq(subscribers.email, 'ada@example.org'));
      expect(gone!.status).toBe('unsubscribed');

      // A forged link gets a friendly page.
      const forged = await page.goto(`${env.PUBLIC_URL}/confirm/AQI2w19yZTZMTp21EtDK9BQRa_aESw.FgeTerhgdhsC7zl5YUXVwQ`);
      expect(forged!.status()).toBe(404);
      await page.getByRole('heading', { name: 'This link does not work' }).waitFor();
      await shoot(page, '09-invalid-link');

      // The CSP allows everything the pages use: the browser reported no violations.
      expect(cspViolations).toEqual([]);
      expect(catcher.messages).toHaveLength(1);
    } finally {
      await browserContext.close();
      await app.close();
      await worker.close();
      await catcher.close();
    }
  });
});
