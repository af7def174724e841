import { insertDigestFixture } from '@paperboy/domain/test-fixtures';
import { configFor, useTestContext } from '@paperboy/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { ADMIN_SESSION_COOKIE, createAdminSessions } from './admin.session.ts';
import { cookieHeader, csrfIn, keepCookies, postForm, signIn } from './admin.test-support.ts';

const ADMIN_TOKEN = 'admin-token-for-console-tests';
const SECRET_KEY = 'secret-key-for-console-tests-0123456789';
const ID = '00000000-0000-4000-8000-000000000000';

const PAGES = [
  '/admin',
  '/admin/papers',
  '/admin/subscribers',
  `/admin/subscribers/${ID}`,
  '/admin/digests',
  `/admin/digests/runs/${ID}`,
  `/admin/digests/preview?subscriber=${ID}`,
  '/admin/topics',
  '/admin/topics/llms',
  '/admin/queues',
  '/admin/queues/api/queues',
];
const ACTIONS = [
  '/admin/logout',
  '/admin/papers/upload',
  `/admin/subscribers/${ID}/unsubscribe`,
  `/admin/subscribers/${ID}/erase`,
  '/admin/digests/dry-run',
  '/admin/digests',
  `/admin/digests/runs/${ID}/pause`,
  `/admin/digests/runs/${ID}/resume`,
  `/admin/digests/runs/${ID}/cancel`,
  `/admin/digests/runs/${ID}/retry-failed`,
  '/admin/topics',
  '/admin/topics/llms',
];

describe('admin console access', () => {
  const context = useTestContext();
  let app: FastifyInstance;
  const sessions = createAdminSessions({ secretKey: SECRET_KEY, adminToken: ADMIN_TOKEN });

  beforeAll(async () => {
    await insertDigestFixture({ db: context.database.db, topicSlugs: ['llms'], paperList: [{ arxivId: '2611.00001', upvotes: 1, topics: { llms: 1 } }], subscriberList: [{ email: 'ada@example.org', topics: ['llms'] }] });
    app = await buildApp({ config: configFor(context, { ADMIN_TOKEN, SECRET_KEY, PUBLIC_URL: 'http://paperboy.test' }), logger: false });
  });
  afterAll(async () => {
    await app.close();
  });

  const withCookie = (value: string) => ({ cookie: `${ADMIN_SESSION_COOKIE}=${value}` });

  it('every console page sends a visitor without a session to the sign-in page, and says where they were going', async () => {
    for (const url of PAGES) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location, url).toBe(`/admin/login?next=${encodeURIComponent(url)}`);
    }
  });

  it('every console action is refused with 401 without a session, and nothing behind it runs', async () => {
    for (const url of ACTIONS) {
      const response = await app.inject({ method: 'POST', url, payload: { frequency: 'weekly', _csrf: 'x' } });
      expect(response.statusCode, url).toBe(401);
      expect(response.body, url).toContain('Please sign in');
    }
    const { rows } = await context.database.pool.query('select count(*)::int as runs from digest_runs');
    expect(rows[0]).toEqual({ runs: 0 });
  });

  it('a forged, tampered, expired or other-token cookie is refused like no cookie at all', async () => {
    const { value: valid } = sessions.issue();
    const [payload, signature] = valid.split('.') as [string, string];
    const longLived = Buffer.from(JSON.stringify({ v: 1, sid: 'a'.repeat(24), exp: Date.now() + 10 * 365 * 86_400_000 })).toString('base64url');
    const forged = [
      'admin',
      `${longLived}.${signature}`,
      `${payload}.${signature.slice(0, -2)}AA`,
      sessions.issue(new Date(Date.now() - 13 * 3_600_000)).value,
      createAdminSessions({ secretKey: SECRET_KEY, adminToken: 'another-admin-token-entirely' }).issue().value,
      createAdminSessions({ secretKey: 'another-secret-key-0123456789abcdefgh', adminToken: ADMIN_TOKEN }).issue().value,
    ];
    for (const value of forged) {
      const page = await app.inject({ method: 'GET', url: '/admin', headers: withCookie(value) });
      expect(page.statusCode, value).toBe(303);
      const action = await app.inject({ method: 'POST', url: '/admin/digests/dry-run', headers: withCookie(value), payload: { frequency: 'weekly' } });
      expect(action.statusCode, value).toBe(401);
    }
    expect((await app.inject({ method: 'GET', url: '/admin', headers: withCookie(valid) })).statusCode).toBe(200);
  });

  it('signing in with the wrong token shows the form again with 401 and sets no session', async () => {
    const form = await app.inject({ method: 'GET', url: '/admin/login' });
    const jar = new Map<string, string>();
    keepCookies(jar, form);
    const response = await app.inject({
      method: 'POST',
      url: '/admin/login',
      headers: { cookie: cookieHeader(jar) },
      payload: { token: 'not-the-admin-token', _csrf: csrfIn(form.body) },
    });
    expect(response.statusCode).toBe(401);
    expect(response.body).toContain('That is not the admin token.');
    expect(response.cookies.find((cookie) => cookie.name === ADMIN_SESSION_COOKIE)).toBeUndefined();
  });

  it('signing in sets an HttpOnly, SameSite=Strict session cookie scoped to /admin that opens every page', async () => {
    const form = await app.inject({ method: 'GET', url: '/admin/login?next=%2Fadmin%2Ftopics' });
    const jar = new Map<string, string>();
    keepCookies(jar, form);
    const response = await app.inject({
      method: 'POST',
      url: '/admin/login',
      headers: { cookie: cookieHeader(jar) },
      payload: { token: ADMIN_TOKEN, _csrf: csrfIn(form.body), next: '/admin/topics' },
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/topics');
    const cookie = response.cookies.find((item) => item.name === ADMIN_SESSION_COOKIE)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin', maxAge: 12 * 3600 });
    expect(sessions.read(cookie.value)?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 11 * 3_600_000);
    keepCookies(jar, response);
    for (const url of ['/admin', '/admin/papers', '/admin/subscribers', '/admin/digests', '/admin/topics', '/admin/topics/llms', '/admin/queues']) {
      const page = await app.inject({ method: 'GET', url, headers: { cookie: cookieHeader(jar) } });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['cache-control'], url).toBe('no-store');
    }
  });

  it('the sign-in page sends people only to console pages afterwards', async () => {
    const form = await app.inject({ method: 'GET', url: '/admin/login?next=https%3A%2F%2Fevil.example%2F' });
    expect(form.body).toContain('name="next" value="/admin"');
    const slashes = await app.inject({ method: 'GET', url: '/admin/login?next=%2F%2Fevil.example' });
    expect(slashes.body).toContain('name="next" value="/admin"');
  });

  it('with a session, an action without its CSRF token is refused with 403', async () => {
    const jar = await signIn(app, ADMIN_TOKEN);
    const response = await app.inject({ method: 'POST', url: '/admin/digests/dry-run', headers: { cookie: cookieHeader(jar) }, payload: { frequency: 'weekly' } });
    expect(response.statusCode).toBe(403);
    const forged = await app.inject({ method: 'POST', url: '/admin/digests/dry-run', headers: { cookie: cookieHeader(jar) }, payload: { frequency: 'weekly', _csrf: 'forged' } });
    expect(forged.statusCode).toBe(403);
    const { rows } = await context.database.pool.query('select count(*)::int as runs from digest_runs');
    expect(rows[0]).toEqual({ runs: 0 });
  });

  it('a CSRF token from one session does not work in another', async () => {
    const first = await signIn(app, ADMIN_TOKEN);
    const page = await app.inject({ method: 'GET', url: '/admin/digests', headers: { cookie: cookieHeader(first) } });
    const second = await signIn(app, ADMIN_TOKEN);
    second.set('paperboy_admin_csrf', first.get('paperboy_admin_csrf')!);
    const response = await app.inject({
      method: 'POST',
      url: '/admin/digests/dry-run',
      headers: { cookie: cookieHeader(second) },
      payload: { frequency: 'weekly', _csrf: csrfIn(page.body) },
    });
    expect(response.statusCode).toBe(403);
  });

  it('signing out clears the session cookie', async () => {
    const jar = await signIn(app, ADMIN_TOKEN);
    const response = await postForm(app, jar, { page: '/admin', action: '/admin/logout' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/login');
    keepCookies(jar, response);
    expect(jar.has(ADMIN_SESSION_COOKIE)).toBe(false);
  });

  it('the queue dashboard refuses writes that do not come from the console origin', async () => {
    const jar = await signIn(app, ADMIN_TOKEN);
    const response = await app.inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/email/retry/failed',
      headers: { cookie: cookieHeader(jar), origin: 'https://evil.example' },
    });
    expect(response.statusCode).toBe(403);
  });
});
