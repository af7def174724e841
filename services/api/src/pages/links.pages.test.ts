import { consentEvents, subscribers } from '@paperboy/db';
import { createToken, tokenExpiry } from '@paperboy/domain';
import { configFor, useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { seedTestTopics } from './journey.support.ts';

const SECRET_KEY = 'test-secret-key-for-link-tests-0123456789abcdef';

describe('links with tokens', () => {
  const context = useTestContext();
  let app: Awaited<ReturnType<typeof buildApp>>;
  let subscriberId: string;
  let otherId: string;
  const later = () => tokenExpiry({ days: 30 });

  beforeAll(async () => {
    await seedTestTopics(context.database.db);
    app = await buildApp({ config: configFor(context, { SECRET_KEY }), logger: false });
    for (const email of ['token.owner@example.org', 'token.other@example.org']) {
      await app.inject({ method: 'POST', url: '/api/subscriptions', payload: { email, topics: ['llms'] } });
    }
    const rows = await context.database.db.select().from(subscribers);
    subscriberId = rows.find((row) => row.email === 'token.owner@example.org')!.id;
    otherId = rows.find((row) => row.email === 'token.other@example.org')!.id;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a token signed for one purpose is refused for another', async () => {
    const unsubscribeToken = createToken({ secretKey: SECRET_KEY, subscriberId, purpose: 'unsubscribe', expiresAt: later() });
    const preferencesToken = createToken({ secretKey: SECRET_KEY, subscriberId, purpose: 'preferences', expiresAt: later() });
    expect((await app.inject({ method: 'GET', url: `/confirm/${unsubscribeToken}` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/confirm/${unsubscribeToken}` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/preferences/${unsubscribeToken}` })).statusCode).toBe(404);
    const oneClick = await app.inject({ method: 'POST', url: `/unsubscribe/${preferencesToken}`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(oneClick.statusCode).toBe(404);
    const [row] = await context.database.db.select().from(subscribers).where(eq(subscribers.id, subscriberId));
    expect(row!.status).toBe('pending');
  });

  it('a token signed for one subscriber cannot be turned into one for another', async () => {
    const token = createToken({ secretKey: SECRET_KEY, subscriberId, purpose: 'confirm', expiresAt: later() });
    const [payload, mac] = token.split('.') as [string, string];
    const bytes = Buffer.from(payload, 'base64url');
    Buffer.from(otherId.replaceAll('-', ''), 'hex').copy(bytes, 2);
    const response = await app.inject({ method: 'POST', url: `/confirm/${bytes.toString('base64url')}.${mac}` });
    expect(response.statusCode).toBe(404);
    const [other] = await context.database.db.select().from(subscribers).where(eq(subscribers.id, otherId));
    expect(other!.status).toBe('pending');
  });

  it('a forged token gets a friendly 404 page, never a stack trace', async () => {
    const forged = createToken({ secretKey: 'another-secret-key-that-is-long-enough-0123', subscriberId, purpose: 'confirm', expiresAt: later() });
    for (const url of [`/confirm/${forged}`, '/confirm/garbage', '/preferences/not.a-token', '/unsubscribe/AAAA.BBBB']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.body).toContain('This link does not work');
      expect(response.body).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('an expired confirm token gets a friendly 410 page', async () => {
    const expired = createToken({ secretKey: SECRET_KEY, subscriberId, purpose: 'confirm', expiresAt: new Date(Date.now() - 1_000) });
    const response = await app.inject({ method: 'GET', url: `/confirm/${expired}` });
    expect(response.statusCode).toBe(410);
    expect(response.body).toContain('This link has expired');
  });

  it('confirming twice shows "already confirmed"; after an unsubscribe the confirm link is used up', async () => {
    const token = createToken({ secretKey: SECRET_KEY, subscriberId: otherId, purpose: 'confirm', expiresAt: later() });
    const first = await app.inject({ method: 'POST', url: `/confirm/${token}` });
    const second = await app.inject({ method: 'POST', url: `/confirm/${token}` });
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(first.body).toContain("You're subscribed");
    expect(second.body).toContain('already confirmed');
    const unsubscribeToken = createToken({ secretKey: SECRET_KEY, subscriberId: otherId, purpose: 'unsubscribe', expiresAt: later() });
    await app.inject({ method: 'POST', url: `/unsubscribe/${unsubscribeToken}`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    for (const method of ['GET', 'POST'] as const) {
      const third = await app.inject({ method, url: `/confirm/${token}` });
      expect(third.statusCode, method).toBe(410);
      expect(third.body).toContain('already used');
    }
  });

  it('following the confirm link (a GET, as mail scanners do) confirms nothing: it shows one button that POSTs', async () => {
    const email = 'scanned.link@example.org';
    await app.inject({ method: 'POST', url: '/api/subscriptions', payload: { email, topics: ['llms'] } });
    const [row] = await context.database.db.select().from(subscribers).where(eq(subscribers.email, email));
    const token = createToken({ secretKey: SECRET_KEY, subscriberId: row!.id, purpose: 'confirm', expiresAt: later() });

    const shown = await app.inject({ method: 'GET', url: `/confirm/${token}` });
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain(`<form method="post" action="/confirm/${token}">`);
    expect(shown.body.match(/<button/g)).toHaveLength(1);
    const afterGet = await context.database.db.select().from(subscribers).where(eq(subscribers.id, row!.id));
    expect(afterGet[0]!.status).toBe('pending');
    const eventsAfterGet = await context.database.db.select().from(consentEvents).where(eq(consentEvents.subscriberId, row!.id));
    expect(eventsAfterGet.map((event) => event.kind)).toEqual(['signup']);

    const pressed = await app.inject({ method: 'POST', url: `/confirm/${token}`, payload: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(pressed.statusCode).toBe(200);
    expect(pressed.body).toContain("You're subscribed");
    const afterPost = await context.database.db.select().from(subscribers).where(eq(subscribers.id, row!.id));
    expect(afterPost[0]!.status).toBe('confirmed');
  });

  it('the one-click POST answers 200 without a redirect, and is idempotent', async () => {
    const token = createToken({ secretKey: SECRET_KEY, subscriberId, purpose: 'unsubscribe', expiresAt: tokenExpiry({ days: 730 }) });
    const post = (payload: string, contentType: string) =>
      app.inject({ method: 'POST', url: `/unsubscribe/${token}`, payload, headers: { 'content-type': contentType } });
    const first = await post('List-Unsubscribe=One-Click', 'application/x-www-form-urlencoded');
    const boundary = 'pb-boundary';
    const second = await post(
      `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`,
      `multipart/form-data; boundary=${boundary}`,
    );
    for (const response of [first, second]) {
      expect(response.statusCode).toBe(200);
      expect(response.headers.location).toBeUndefined();
    }
    const events = await context.database.db.select().from(consentEvents).where(eq(consentEvents.subscriberId, subscriberId));
    expect(events.filter((event) => event.kind === 'unsubscribe')).toHaveLength(1);
    expect(events.find((event) => event.kind === 'unsubscribe')!.details).toEqual({ method: 'one-click' });
    const [row] = await context.database.db.select().from(subscribers).where(eq(subscribers.id, subscriberId));
    expect(row!.status).toBe('unsubscribed');
  });
});
