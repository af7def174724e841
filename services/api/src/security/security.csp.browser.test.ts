import { keywords, subscriberKeywords, subscribers, subscriberTopics, topics } from '@paperboy/db';
import { createToken, hashEmail } from '@paperboy/domain';
import { configFor, launchBrowser, useTestContext } from '@paperboy/testing';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';

const SECRET_KEY = 'csp-test-secret-key-0123456789abcdefghij';
const HOSTILE_KEYWORD = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_TOPIC = '</title><script>window.__pwned=2</script>';

declare global {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface Window {
    __pwned?: number;
    __inline?: number;
  }
}

describe('HTML pages: hostile text renders as text, and the CSP stops inline script', () => {
  const context = useTestContext();
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;
  let pages: string[];

  beforeAll(async () => {
    const { db } = context.database;
    const [topic] = await db.insert(topics).values({ slug: 'hostile', name: HOSTILE_TOPIC, description: HOSTILE_TOPIC, terms: [] }).returning();
    const [subscriber] = await db
      .insert(subscribers)
      .values({ email: 'ada@example.org', emailHash: hashEmail({ secretKey: SECRET_KEY, email: 'ada@example.org' }), status: 'confirmed', confirmedAt: new Date() })
      .returning();
    const [keyword] = await db.insert(keywords).values({ phrase: HOSTILE_KEYWORD }).returning();
    await db.insert(subscriberTopics).values({ subscriberId: subscriber!.id, topicId: topic!.id });
    await db.insert(subscriberKeywords).values({ subscriberId: subscriber!.id, keywordId: keyword!.id });
    app = await buildApp({ config: configFor(context, { SECRET_KEY }), logger: false });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    const token = (purpose: 'confirm' | 'preferences' | 'unsubscribe') =>
      createToken({ secretKey: SECRET_KEY, subscriberId: subscriber!.id, purpose, expiresAt: new Date(Date.now() + 86_400_000) });
    // Every page a person can reach, error pages included.
    pages = ['/', `/confirm/${token('confirm')}`, '/confirm/forged.token', `/preferences/${token('preferences')}`, `/unsubscribe/${token('unsubscribe')}`, '/admin/login'];
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('every HTML page carries a CSP that allows scripts only from this origin', async () => {
    for (const path of pages) {
      const response = await fetch(`${base}${path}`);
      const policy = response.headers.get('content-security-policy') ?? '';
      const scriptSrc = /script-src ([^;]+)/.exec(policy)?.[1] ?? '';
      expect({ path, type: response.headers.get('content-type')?.split(';')[0], scriptSrc }).toEqual({ path, type: 'text/html', scriptSrc: "'self'" });
    }
  });

  it('in Chromium, an inline script slipped into any page does not run, and hostile names show as text', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    // Stands in for any escaping mistake: the server's page with a script added, its headers unchanged.
    await page.route('**/*', async (route) => {
      const response = await route.fetch();
      const isHtml = (response.headers()['content-type'] ?? '').startsWith('text/html');
      const body = isHtml ? (await response.text()).replace('</body>', '<script>window.__inline=1</script></body>') : await response.body();
      await route.fulfill({ response, body });
    });
    for (const path of pages) {
      await page.goto(`${base}${path}`);
      const ran = await page.evaluate(() => ({ inline: window.__inline, pwned: window.__pwned }));
      expect({ path, ...ran }).toEqual({ path, inline: undefined, pwned: undefined });
    }
    expect(violations.length).toBeGreaterThanOrEqual(pages.length);

    await page.unroute('**/*');
    await page.goto(`${base}${pages[3]}`);
    const text = await page.locator('body').innerText();
    expect(text).toContain(HOSTILE_TOPIC);
    expect(await page.locator('input[name="keywords"]').inputValue()).toContain(HOSTILE_KEYWORD);
    expect(await page.evaluate(() => document.querySelectorAll('img[src="x"], script:not([src])').length)).toBe(0);
    await page.close();
  }, 60_000);
});
