import { consentEvents, subscriberKeywords, subscribers, subscriberTopics } from '@paperboy/db';
import { createToken, hashEmail, tokenExpiry } from '@paperboy/domain';
import { configFor, useTestContext } from '@paperboy/testing';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { seedTestTopics } from './journey.support.ts';

const SECRET_KEY = 'test-secret-key-for-page-tests-0123456789abcdef';
const form = (pairs: [string, string][]) => new URLSearchParams(pairs).toString();
const formHeaders = (extra: Record<string, string> = {}) => ({ 'content-type': 'application/x-www-form-urlencoded', ...extra });

describe('subscription pages', () => {
  const context = useTestContext();
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    await seedTestTopics(context.database.db);
    app = await buildApp({ config: configFor(context, { SECRET_KEY }), logger: false });
  });
  afterAll(async () => {
    await app?.close();
  });

  /** A confirmed subscriber made through the API and the confirm link, with their preferences token. */
  async function confirmedSubscriber(email: string) {
    await app.inject({ method: 'POST', url: '/api/subscriptions', payload: { email, topics: ['llms'], keywords: ['world models'] }, remoteAddress: '10.1.0.1' });
    const [row] = await context.database.db.select().from(subscribers).where(eq(subscribers.email, email));
    const expiresAt = tokenExpiry({ days: 30 });
    await app.inject({ method: 'POST', url: `/confirm/${createToken({ secretKey: SECRET_KEY, subscriberId: row!.id, purpose: 'confirm', expiresAt })}` });
    const preferencesToken = createToken({ secretKey: SECRET_KEY, subscriberId: row!.id, purpose: 'preferences', expiresAt });
    const page = await app.inject({ method: 'GET', url: `/preferences/${preferencesToken}` });
    const cookie = ([] as string[]).concat(page.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    return { id: row!.id, preferencesToken, cookie, csrf };
  }

  it('the signup page lists the topics from the database, with labels, and passes the CSP with no inline script', async () => {
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.body).not.toMatch(/<script/i);
    expect(response.body).toContain('<label for="topic-diffusion">');
    expect(response.body).toContain('Image, video and audio generation with diffusion');
    expect(response.body).toMatch(/<input type="radio" name="frequency" value="weekly" checked>/);
    expect(response.body).toMatch(/<input type="radio" name="digestSize" value="10" checked>/);
    const css = await app.inject({ method: 'GET', url: '/assets/paperboy.css' });
    expect(css.headers['content-type']).toContain('text/css');
  });

  it('a field error re-renders the form with the message beside the field, the values kept and escaped', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/',
      payload: form([['email', '"><script>x</script>'], ['topics', 'robotics'], ['keywords', 'a, ' + 'k'.repeat(61)], ['frequency', 'daily'], ['digestSize', '20']]),
      headers: formHeaders(),
      remoteAddress: '10.2.0.1',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<p class="field-error" id="email-error">must be an email address</p>');
    expect(response.body).toContain('aria-describedby="email-error" aria-invalid="true"');
    expect(response.body).toContain('role="alert"');
    expect(response.body).toContain(`id="keywords-error">&quot;${'k'.repeat(61)}&quot; must be at most 60 characters`);
    expect(response.body).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    expect(response.body).not.toContain('<script>x');
    expect(response.body).toMatch(/value="robotics" id="topic-robotics" aria-describedby="topic-robotics-description" checked/);
    expect(response.body).toMatch(/value="daily" checked/);
    expect(response.body).toMatch(/value="20" checked/);
    expect((await context.database.db.select({ value: count() }).from(subscribers))[0]!.value).toBe(0);
  });

  it('a topic that does not exist is shown beside the topics', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/',
      payload: form([['email', 'topics@example.org'], ['topics', 'astrology']]),
      headers: formHeaders(),
      remoteAddress: '10.2.0.2',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('id="topics-error">unknown topic: astrology');
  });

  it('a filled honeypot gets the same "check your inbox" page and stores nothing', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/',
      payload: form([['email', 'bot@example.org'], ['topics', 'llms'], ['website', 'http://spam.example']]),
      headers: formHeaders(),
      remoteAddress: '10.2.0.3',
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Check your inbox');
    expect(await context.database.db.select().from(subscribers).where(eq(subscribers.email, 'bot@example.org'))).toEqual([]);
  });

  it('a preference change without the CSRF token, or with one from another subscriber, is refused with 403', async () => {
    const ada = await confirmedSubscriber('csrf.ada@example.org');
    const bob = await confirmedSubscriber('csrf.bob@example.org');
    const change = [['topics', 'robotics'], ['frequency', 'daily'], ['digestSize', '5']] as [string, string][];
    const withoutToken = await app.inject({ method: 'POST', url: `/preferences/${ada.preferencesToken}`, payload: form(change), headers: formHeaders({ cookie: ada.cookie }) });
    expect(withoutToken.statusCode).toBe(403);
    expect(withoutToken.body).toContain('This form has expired');
    const crossed = await app.inject({
      method: 'POST',
      url: `/preferences/${ada.preferencesToken}`,
      payload: form([['_csrf', bob.csrf], ...change]),
      headers: formHeaders({ cookie: bob.cookie }),
    });
    expect(crossed.statusCode).toBe(403);
    const [row] = await context.database.db.select().from(subscribers).where(eq(subscribers.id, ada.id));
    expect(row!.frequency).toBe('weekly');
  });

  it('pausing for N weeks sets the pause and logs it; resuming clears it', async () => {
    const ada = await confirmedSubscriber('pause@example.org');
    const paused = await app.inject({
      method: 'POST',
      url: `/preferences/${ada.preferencesToken}/pause`,
      payload: form([['_csrf', ada.csrf], ['weeks', '4']]),
      headers: formHeaders({ cookie: ada.cookie }),
    });
    expect(paused.statusCode).toBe(200);
    expect(paused.body).toContain('Paused for 4 weeks.');
    const [row] = await context.database.db.select().from(subscribers).where(eq(subscribers.id, ada.id));
    const days = (row!.pausedUntil!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(27.9);
    expect(days).toBeLessThan(28.1);
    await app.inject({ method: 'POST', url: `/preferences/${ada.preferencesToken}/resume`, payload: form([['_csrf', ada.csrf]]), headers: formHeaders({ cookie: ada.cookie }) });
    const [resumed] = await context.database.db.select().from(subscribers).where(eq(subscribers.id, ada.id));
    expect(resumed!.pausedUntil).toBeNull();
    const kinds = (await context.database.db.select().from(consentEvents).where(eq(consentEvents.subscriberId, ada.id))).map((event) => event.kind);
    expect(kinds).toEqual(['signup', 'confirm', 'paused', 'preferences_changed']);
  });

  it('"download my data" is JSON of everything stored, the consent log included', async () => {
    const ada = await confirmedSubscriber('export@example.org');
    const response = await app.inject({ method: 'GET', url: `/preferences/${ada.preferencesToken}/export` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toContain('attachment');
    expect(response.headers['cache-control']).toBe('no-store');
    const data = response.json<{ subscriber: { email: string }; topics: string[]; keywords: string[]; consentLog: { kind: string; ip: string }[] }>();
    expect(data.subscriber.email).toBe('export@example.org');
    expect(data.topics).toEqual(['llms']);
    expect(data.keywords).toEqual(['world models']);
    expect(data.consentLog.map((event) => event.kind)).toEqual(['signup', 'confirm']);
    expect(data.consentLog[0]!.ip).toBe('10.1.0.1');
  });

  it('erasing keeps only the address hash, forgets where consents came from, and the address cannot sign up again', async () => {
    const ada = await confirmedSubscriber('erase.me@example.org');
    const refused = await app.inject({ method: 'POST', url: `/preferences/${ada.preferencesToken}/erase`, payload: form([['_csrf', ada.csrf]]), headers: formHeaders({ cookie: ada.cookie }) });
    expect(refused.statusCode).toBe(400);
    const erased = await app.inject({
      method: 'POST',
      url: `/preferences/${ada.preferencesToken}/erase`,
      payload: form([['_csrf', ada.csrf], ['confirm', 'yes']]),
      headers: formHeaders({ cookie: ada.cookie }),
    });
    expect(erased.statusCode).toBe(200);
    expect(erased.body).toContain('Your data was deleted');

    const db = context.database.db;
    const [row] = await db.select().from(subscribers).where(eq(subscribers.id, ada.id));
    expect(row).toMatchObject({ email: null, status: 'erased', emailHash: hashEmail({ secretKey: SECRET_KEY, email: 'erase.me@example.org' }) });
    expect(await db.select().from(subscriberTopics).where(eq(subscriberTopics.subscriberId, ada.id))).toEqual([]);
    expect(await db.select().from(subscriberKeywords).where(eq(subscriberKeywords.subscriberId, ada.id))).toEqual([]);
    const events = await db.select().from(consentEvents).where(eq(consentEvents.subscriberId, ada.id));
    expect(events.map((event) => event.kind)).toEqual(['signup', 'confirm', 'erase']);
    expect(events.every((event) => event.ip === null && event.userAgent === null)).toBe(true);

    // The same address typed in again: the same answer as always, and nothing stored or queued.
    const queued = await app.queues.get('email').getJobCountByTypes('waiting', 'delayed');
    const again = await app.inject({ method: 'POST', url: '/api/subscriptions', payload: { email: 'Erase.Me@example.org', topics: ['llms'] }, remoteAddress: '10.3.0.1' });
    expect(again.statusCode).toBe(202);
    const [after] = await db.select().from(subscribers).where(eq(subscribers.id, ada.id));
    expect(after).toMatchObject({ email: null, status: 'erased' });
    expect(await app.queues.get('email').getJobCountByTypes('waiting', 'delayed')).toBe(queued);
    expect((await app.inject({ method: 'GET', url: `/preferences/${ada.preferencesToken}` })).statusCode).toBe(410);
  });
});
