import { consentEvents, subscribers } from '@paperboy/db';
import { insertDigestFixture } from '@paperboy/domain/test-fixtures';
import { configFor, useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { cookieHeader, postForm, signIn, type TCookieJar } from './admin.test-support.ts';

const ADMIN_TOKEN = 'admin-token-for-console-page-tests';

describe('admin console pages', () => {
  const context = useTestContext();
  let app: FastifyInstance;
  let jar: TCookieJar;
  let fixture: Awaited<ReturnType<typeof insertDigestFixture>>;

  beforeAll(async () => {
    fixture = await insertDigestFixture({
      db: context.database.db,
      topicSlugs: ['llms', 'vision'],
      paperList: [{ arxivId: '2611.00001', title: 'A <script>alert(1)</script> title', upvotes: 3, topics: { llms: 2.5 } }],
      subscriberList: [
        { email: 'ada@example.org', topics: ['llms'] },
        { email: 'bob@example.org', topics: ['vision'] },
        { email: 'cy@example.org', status: 'pending', topics: ['llms'] },
      ],
    });
    app = await buildApp({ config: configFor(context, { ADMIN_TOKEN, PUBLIC_URL: 'http://paperboy.test' }), logger: false });
    jar = await signIn(app, ADMIN_TOKEN);
  });
  afterAll(async () => {
    await app.close();
  });

  const get = (url: string) => app.inject({ method: 'GET', url, headers: { cookie: cookieHeader(jar) } });

  it('papers list their topics and scores, and untrusted titles reach the page escaped', async () => {
    const response = await get('/admin/papers?topic=llms');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('A &lt;script&gt;alert(1)&lt;/script&gt; title');
    expect(response.body).not.toContain('<script>alert(1)');
    expect(response.body).toContain('Topic llms 2.50');
  });

  it('subscribers are searched by address, status and topic', async () => {
    const byTopic = await get('/admin/subscribers?topic=vision');
    expect(byTopic.body).toContain('bob@example.org');
    expect(byTopic.body).not.toContain('ada@example.org');
    const byStatus = await get('/admin/subscribers?status=pending');
    expect(byStatus.body).toContain('cy@example.org');
    expect(byStatus.body).not.toContain('bob@example.org');
    const byAddress = await get('/admin/subscribers?q=ADA%40');
    expect(byAddress.body).toContain('ada@example.org');
    expect(byAddress.body).not.toContain('cy@example.org');
  });

  it('a subscriber page shows preferences and the consent log, and unsubscribing by hand is logged', async () => {
    const id = fixture.subscriberId.get('bob@example.org')!;
    const page = await get(`/admin/subscribers/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Topic vision');
    const response = await postForm(app, jar, { page: `/admin/subscribers/${id}`, action: `/admin/subscribers/${id}/unsubscribe` });
    expect(response.statusCode).toBe(303);
    const [row] = await context.database.db.select().from(subscribers).where(eq(subscribers.id, id));
    expect(row!.status).toBe('unsubscribed');
    const after = await get(response.headers.location as string);
    expect(after.body).toContain('The subscriber was unsubscribed.');
    expect(after.body).toContain('admin_remove');
  });

  it('erasing by hand needs the box ticked, then drops the address and keeps the consent log', async () => {
    const id = fixture.subscriberId.get('cy@example.org')!;
    const unticked = await postForm(app, jar, { page: `/admin/subscribers/${id}`, action: `/admin/subscribers/${id}/erase` });
    expect(unticked.statusCode).toBe(400);
    const response = await postForm(app, jar, { page: `/admin/subscribers/${id}`, action: `/admin/subscribers/${id}/erase`, fields: { confirm: 'yes' } });
    expect(response.statusCode).toBe(303);
    const [row] = await context.database.db.select().from(subscribers).where(eq(subscribers.id, id));
    expect(row).toMatchObject({ status: 'erased', email: null });
    const events = await context.database.db.select().from(consentEvents).where(eq(consentEvents.subscriberId, id));
    expect(events.map((event) => event.kind)).toContain('erase');
  });

  it('a topic is added from term lines, re-scored when edited, and a bad definition comes back with its errors', async () => {
    const bad = await postForm(app, jar, { page: '/admin/topics', action: '/admin/topics', fields: { slug: 'Not A Slug', name: 'X', description: 'Y', terms: 'term: 7' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('slug: must be lowercase words joined by dashes');
    expect(bad.body).toContain('terms 0 weight');

    const created = await postForm(app, jar, {
      page: '/admin/topics',
      action: '/admin/topics',
      fields: { slug: 'scripts', name: 'Scripts', description: 'Papers about scripts', terms: 'script: 1\nalert: 0.5' },
    });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe('/admin/topics/scripts?done=topic-created');
    const topicPage = await get('/admin/topics/scripts');
    expect(topicPage.body).toContain('>script: 1\nalert: 0.5</textarea>');

    const edited = await postForm(app, jar, {
      page: '/admin/topics/scripts',
      action: '/admin/topics/scripts',
      fields: { name: 'Scripts and alerts', description: 'Papers about scripts', terms: 'script: 1\nalert' },
    });
    expect(edited.statusCode).toBe(303);
    expect((await get('/admin/topics/scripts')).body).toContain('alert: 1');
  });

  it('a preview renders the digest into an iframe srcdoc, and an unknown address gets 404', async () => {
    const id = fixture.subscriberId.get('ada@example.org')!;
    const response = await get(`/admin/digests/preview?subscriber=${id}`);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('srcdoc="');
    const unknown = await get('/admin/digests/preview?subscriber=nobody%40example.org');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('No subscriber with that id or address.');
  });
});
