import { consentEvents, paperRatings, subscriberSeedPapers, subscribers } from '@paperboy/db';
import { createToken, feedbackLinks, tokenExpiry } from '@paperboy/domain';
import { insertDigestFixture } from '@paperboy/domain/test-fixtures';
import { configFor, useTestContext } from '@paperboy/testing';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { cookieHeader, signIn } from '../admin/admin.test-support.ts';

const SECRET_KEY = 'test-secret-key-for-feedback-pages-0123456789';
const ADMIN_TOKEN = 'admin-token-for-feedback-tests';
const form = (pairs: [string, string][]) => new URLSearchParams(pairs).toString();
const formHeaders = (extra: Record<string, string> = {}) => ({ 'content-type': 'application/x-www-form-urlencoded', ...extra });

describe('feedback pages', () => {
  const context = useTestContext();
  let app: Awaited<ReturnType<typeof buildApp>>;
  let fixture: Awaited<ReturnType<typeof insertDigestFixture>>;

  beforeAll(async () => {
    fixture = await insertDigestFixture({
      db: context.database.db,
      topicSlugs: ['llms'],
      paperList: [
        { arxivId: '2611.00021', upvotes: 3, title: 'Speculative <b>decoding</b> at scale', topics: { llms: 2 } },
        { arxivId: '2611.00022', upvotes: 2, topics: { llms: 1 } },
      ],
      subscriberList: [{ email: 'ada@example.org', topics: ['llms'] }, { email: 'bob@example.org', topics: ['llms'] }],
    });
    app = await buildApp({ config: configFor(context, { SECRET_KEY, ADMIN_TOKEN, PUBLIC_URL: 'https://paperboy.test' }), logger: false });
  });
  afterAll(async () => {
    await app?.close();
  });

  const db = () => context.database.db;
  const subscriber = (name: string) => fixture.subscriberId.get(`${name}@example.org`)!;
  const paper = (arxivId: string) => fixture.paperId.get(arxivId)!;
  const links = (name: string, arxivId: string, runId: string | null = null) => {
    const { moreUrl, lessUrl } = feedbackLinks({ publicUrl: '', secretKey: SECRET_KEY, subscriberId: subscriber(name), paperId: paper(arxivId), runId, ttlDays: 30 });
    return { more: moreUrl, less: lessUrl };
  };
  const ratingsOf = (name: string) => db().select().from(paperRatings).where(eq(paperRatings.subscriberId, subscriber(name)));
  const consentOf = (name: string) => db().select().from(consentEvents).where(eq(consentEvents.subscriberId, subscriber(name)));

  it('GET shows the paper and one button, and changes nothing', async () => {
    const { less } = links('ada', '2611.00021');
    const page = await app.inject({ method: 'GET', url: less });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<h1>Fewer papers like this?</h1>');
    expect(page.body).toContain('<a href="https://arxiv.org/abs/2611.00021">Speculative &lt;b&gt;decoding&lt;/b&gt; at scale</a>');
    expect(page.body).toContain(`<form method="post" action="${less}"`);
    expect(page.body).toContain('>Less like this</button>');
    expect(page.body).not.toMatch(/<script/i);
    expect(await ratingsOf('ada')).toEqual([]);
    expect(await consentOf('ada')).toEqual([]);
  });

  it('POST records the rating and says what changes; Undo removes it', async () => {
    const { less } = links('ada', '2611.00021');
    const done = await app.inject({ method: 'POST', url: less, payload: '', headers: formHeaders() });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('You will see fewer papers like this in your next digests.');
    expect(done.body).toContain(`<form method="post" action="${less}/undo"`);
    expect(await ratingsOf('ada')).toMatchObject([{ paperId: paper('2611.00021'), rating: -1 }]);

    const { more } = links('ada', '2611.00021');
    const turned = await app.inject({ method: 'POST', url: more, payload: '', headers: formHeaders() });
    expect(turned.body).toContain('You will see more papers like this in your next digests.');
    expect(await ratingsOf('ada')).toMatchObject([{ rating: 1 }]);

    const undone = await app.inject({ method: 'POST', url: `${more}/undo`, payload: '', headers: formHeaders() });
    expect(undone.statusCode).toBe(200);
    expect(undone.body).toContain('Your rating of this paper was removed');
    expect(await ratingsOf('ada')).toEqual([]);
    expect((await consentOf('ada')).map((event) => [event.kind, event.details])).toEqual([
      ['feedback', { action: 'rated' }],
      ['feedback', { action: 'rated' }],
      ['feedback', { action: 'undone' }],
    ]);
  });

  it('forged, cross-purpose, other-subscriber and expired links are refused with a page, and record nothing', async () => {
    const { more } = links('bob', '2611.00021');
    const token = more.split('/').pop()!;
    const [payload, mac] = token.split('.') as [string, string];
    const bytes = Buffer.from(payload, 'base64url');
    Buffer.from(subscriber('ada').replaceAll('-', ''), 'hex').copy(bytes, 2);
    const otherSubscriber = `${bytes.toString('base64url')}.${mac}`;
    const preferences = createToken({ secretKey: SECRET_KEY, subscriberId: subscriber('bob'), purpose: 'preferences', expiresAt: tokenExpiry({ days: 1 }) });
    const unsubscribe = createToken({ secretKey: SECRET_KEY, subscriberId: subscriber('bob'), purpose: 'unsubscribe', expiresAt: tokenExpiry({ days: 1 }) });
    for (const bad of [otherSubscriber, preferences, unsubscribe, `${payload}.AAAAAAAAAAAAAAAAAAAAAA`, 'nonsense']) {
      for (const method of ['GET', 'POST'] as const) {
        const response = await app.inject({ method, url: `/feedback/${bad}`, payload: '', headers: formHeaders() });
        expect(response.statusCode).toBe(404);
        expect(response.body).toContain('This link does not work');
      }
    }
    const old = feedbackLinks({ publicUrl: '', secretKey: SECRET_KEY, subscriberId: subscriber('bob'), paperId: paper('2611.00021'), runId: null, ttlDays: 1, now: new Date(Date.now() - 2 * 86_400_000) });
    const expired = await app.inject({ method: 'POST', url: old.moreUrl, payload: '', headers: formHeaders() });
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('This link has expired');
    // A feedback token does not open the preference center either.
    expect((await app.inject({ method: 'GET', url: `/preferences/${token}` })).statusCode).toBe(404);
    expect(await ratingsOf('bob')).toEqual([]);
    expect(await ratingsOf('ada')).toEqual([]);
  });

  /** The preference center with its CSRF cookie and token, as a browser gets it. */
  async function preferencesPage(name: string) {
    const token = createToken({ secretKey: SECRET_KEY, subscriberId: subscriber(name), purpose: 'preferences', expiresAt: tokenExpiry({ days: 1 }) });
    const page = await app.inject({ method: 'GET', url: `/preferences/${token}` });
    const cookie = ([] as string[]).concat(page.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const post = (path: string, pairs: [string, string][]) =>
      app.inject({ method: 'POST', url: `/preferences/${token}${path}`, payload: form([['_csrf', csrf], ...pairs]), headers: formHeaders({ cookie }) });
    return { page, post };
  }

  it('the preference center lists rated papers, each removable', async () => {
    await app.inject({ method: 'POST', url: links('bob', '2611.00021').less, payload: '', headers: formHeaders() });
    await app.inject({ method: 'POST', url: links('bob', '2611.00022').more, payload: '', headers: formHeaders() });
    const { page, post } = await preferencesPage('bob');
    expect(page.body).toContain('<h2 id="rated-title">Papers you rated</h2>');
    expect(page.body).toMatch(/Less like this:<\/span>\s*<a href="https:\/\/arxiv.org\/abs\/2611.00021">Speculative &lt;b&gt;decoding&lt;\/b&gt; at scale<\/a>/);
    expect(page.body).toMatch(/More like this:<\/span>\s*<a href="https:\/\/arxiv.org\/abs\/2611.00022">/);
    const removed = await post('/ratings/remove', [['paperId', String(paper('2611.00021'))]]);
    expect(removed.statusCode).toBe(200);
    expect(removed.body).toContain('That rating was removed.');
    expect((await ratingsOf('bob')).map((row) => row.paperId)).toEqual([paper('2611.00022')]);
    const bad = await post('/ratings/remove', [['paperId', 'first']]);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('paperId');
  });

  it('liked papers: a bad entry is named beside the field and nothing is saved; good ones are saved and the unknown looked up', async () => {
    const { post } = await preferencesPage('ada');
    const refused = await post('/liked-papers', [['likedPapers', '2611.00021, not-a-paper']]);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('<p class="field-error" id="likedPapers-error">&quot;not-a-paper&quot; is not an arXiv id or arxiv.org link</p>');
    expect(refused.body).toContain('Papers you liked: &quot;not-a-paper&quot;');
    expect(refused.body).toContain('>2611.00021, not-a-paper</textarea>');
    const tooMany = await post('/liked-papers', [['likedPapers', '2401.00001 2401.00002 2401.00003 2401.00004 2401.00005 2401.00006']]);
    expect(tooMany.body).toContain('id="likedPapers-error">at most 5 papers');
    expect(await db().select().from(subscriberSeedPapers).where(eq(subscriberSeedPapers.subscriberId, subscriber('ada')))).toEqual([]);

    const saved = await post('/liked-papers', [['likedPapers', 'https://arxiv.org/abs/2611.00021v3, 2599.00077']]);
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toContain('Your liked papers were saved. We are looking up 2599.00077 on arXiv.');
    expect(saved.body).toContain('>2599.00077, 2611.00021</textarea>');
    const rows = await db()
      .select({ arxivId: subscriberSeedPapers.arxivId, paperId: subscriberSeedPapers.paperId })
      .from(subscriberSeedPapers)
      .where(eq(subscriberSeedPapers.subscriberId, subscriber('ada')))
      .orderBy(asc(subscriberSeedPapers.arxivId));
    expect(rows).toEqual([
      { arxivId: '2599.00077', paperId: null },
      { arxivId: '2611.00021', paperId: paper('2611.00021') },
    ]);
    const jobs = await app.queues.get('papers').getJobs(['waiting', 'delayed']);
    expect(jobs.filter((job) => job.name === 'fetch-liked-papers').map((job) => job.data as unknown)).toEqual([{ arxivIds: ['2599.00077'] }]);
  });

  it('the signup form takes liked papers too, and refuses a bad one by name', async () => {
    const base: [string, string][] = [['email', 'new@example.org'], ['topics', 'llms']];
    const refused = await app.inject({ method: 'POST', url: '/', payload: form([...base, ['likedPapers', 'arxiv.org/abs/x']]), headers: formHeaders(), remoteAddress: '10.9.0.1' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('id="likedPapers-error">&quot;arxiv.org/abs/x&quot; is not an arXiv id or arxiv.org link');
    expect(await db().select().from(subscribers).where(eq(subscribers.email, 'new@example.org'))).toEqual([]);
    const accepted = await app.inject({ method: 'POST', url: '/', payload: form([...base, ['likedPapers', '2611.00022']]), headers: formHeaders(), remoteAddress: '10.9.0.1' });
    expect(accepted.body).toContain('Check your inbox');
    const [created] = await db().select().from(subscribers).where(eq(subscribers.email, 'new@example.org'));
    expect(await db().select({ arxivId: subscriberSeedPapers.arxivId, paperId: subscriberSeedPapers.paperId }).from(subscriberSeedPapers).where(eq(subscriberSeedPapers.subscriberId, created!.id))).toEqual([
      { arxivId: '2611.00022', paperId: paper('2611.00022') },
    ]);
    // Signing up again while still pending replaces the list, like the other choices.
    await app.inject({ method: 'POST', url: '/', payload: form([...base, ['likedPapers', '2611.00021']]), headers: formHeaders(), remoteAddress: '10.9.0.1' });
    expect(await db().select({ arxivId: subscriberSeedPapers.arxivId }).from(subscriberSeedPapers).where(eq(subscriberSeedPapers.subscriberId, created!.id))).toEqual([
      { arxivId: '2611.00021' },
    ]);
  });

  it('the JSON signup takes liked papers too, and hands the unknown ones to the worker', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/subscriptions',
      payload: { email: 'json@example.org', topics: ['llms'], likedPapers: ['https://arxiv.org/pdf/2612.00301v1.pdf', '2611.00021'] },
      remoteAddress: '10.9.0.2',
    });
    expect(response.statusCode).toBe(202);
    const [created] = await db().select().from(subscribers).where(eq(subscribers.email, 'json@example.org'));
    const rows = await db()
      .select({ arxivId: subscriberSeedPapers.arxivId, paperId: subscriberSeedPapers.paperId })
      .from(subscriberSeedPapers)
      .where(eq(subscriberSeedPapers.subscriberId, created!.id))
      .orderBy(asc(subscriberSeedPapers.arxivId));
    expect(rows).toEqual([
      { arxivId: '2611.00021', paperId: paper('2611.00021') },
      { arxivId: '2612.00301', paperId: null },
    ]);
    const jobs = await app.queues.get('papers').getJobs(['waiting', 'delayed']);
    expect(jobs.map((job) => job.data as unknown)).toContainEqual({ arxivIds: ['2612.00301'] });
    const refused = await app.inject({ method: 'POST', url: '/api/subscriptions', payload: { email: 'x@example.org', topics: ['llms'], likedPapers: ['nope'] }, remoteAddress: '10.9.0.3' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('likedPapers');
  });

  it('the admin JSON and the run page count a run’s clicks, in total and per topic', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/admin/digests', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { dryRun: true } });
    const runId = created.json<{ run: { id: string } }>().run.id;
    await app.inject({ method: 'POST', url: links('ada', '2611.00022', runId).less, payload: '', headers: formHeaders() });
    await app.inject({ method: 'POST', url: links('bob', '2611.00022', runId).less, payload: '', headers: formHeaders() });
    await app.inject({ method: 'POST', url: links('bob', '2611.00021', runId).more, payload: '', headers: formHeaders() });
    const json = await app.inject({ method: 'GET', url: `/api/admin/digests/${runId}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(json.statusCode).toBe(200);
    expect(json.json<{ feedback: unknown }>().feedback).toEqual({ up: 1, down: 2, byTopic: [{ slug: 'llms', name: 'Topic llms', up: 1, down: 2 }] });
    const jar = await signIn(app, ADMIN_TOKEN);
    const page = await app.inject({ method: 'GET', url: `/admin/digests/runs/${runId}`, headers: { cookie: cookieHeader(jar) } });
    expect(page.body).toMatch(/<th scope="row">All papers<\/th><td>1<\/td><td>2<\/td>/);
    expect(page.body).toMatch(/<th scope="row">Topic llms<\/th><td>1<\/td><td>2<\/td>/);
  });
});
