import { deliveries, digestRuns, subscribers } from '@paperboy/db';
import { classifySmtpReply, hashEmail, recordBounce, recordComplaint } from '@paperboy/domain';
import { configFor, useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieHeader, postForm, signIn, type TCookieJar } from '../admin/admin.test-support.ts';
import { buildApp } from '../app.ts';

const ADMIN_TOKEN = 'admin-token-for-deliverability-tests';
const SECRET_KEY = 'deliverability-api-secret-0123456789abcdef';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const HARD = classifySmtpReply({ enhancedStatus: '5.1.1', phase: 'report' });

type TList = { items: { id: string; address: string; hasAddress: boolean; reason: string; classification: string | null; source: string }[]; total: number };

describe('suppressions and run bounce figures in the JSON API and the console', () => {
  const context = useTestContext();
  let app: FastifyInstance;
  let jar: TCookieJar;
  let runId: string;

  beforeAll(async () => {
    const db = context.database.db;
    const emails = ['bounced@example.org', 'complained@example.org', 'erased@example.org', 'fine@example.org'];
    const rows = await db
      .insert(subscribers)
      .values(emails.map((email) => ({ email, emailHash: hashEmail({ secretKey: SECRET_KEY, email }), status: 'confirmed' as const })))
      .returning();
    const [run] = await db
      .insert(digestRuns)
      .values({ frequency: 'weekly', trigger: 'admin', periodKey: '2026-W49', periodStart: new Date(), periodEnd: new Date(), state: 'done', plannedCount: 4 })
      .returning();
    runId = run!.id;
    const sent = await db
      .insert(deliveries)
      .values(rows.map((row) => ({ runId, subscriberId: row.id, paperIds: [], state: 'sent' as const, sentAt: new Date() })))
      .returning();
    const subject = (index: number) => ({ subscriberId: sent[index]!.subscriberId, deliveryId: sent[index]!.id });
    await recordBounce({ db, subject: subject(0), bounce: HARD, source: 'dsn', softBounceLimit: 3 });
    await recordComplaint({ db, subject: subject(1), source: 'webhook:ses' });
    await recordBounce({ db, subject: subject(2), bounce: HARD, source: 'smtp', softBounceLimit: 3 });
    await db.update(subscribers).set({ email: null, status: 'erased' }).where(eq(subscribers.id, rows[2]!.id));

    app = await buildApp({ config: configFor(context, { ADMIN_TOKEN, SECRET_KEY }), logger: false });
    jar = await signIn(app, ADMIN_TOKEN);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('refuses the JSON routes without the admin token', async () => {
    for (const [method, url] of [['GET', '/api/admin/suppressions'], ['POST', '/api/admin/suppressions'], ['DELETE', `/api/admin/suppressions/${runId}`], ['GET', `/api/admin/digests/${runId}/bounces`]] as const) {
      expect((await app.inject({ method, url })).statusCode).toBe(401);
    }
  });

  it('lists suppressions with why, and shows only a hash prefix for an erased subscriber', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/admin/suppressions', headers: auth });
    const { items, total } = response.json<TList>();
    expect(total).toBe(3);
    expect(items.map(({ address, reason, source }) => ({ address, reason, source }))).toEqual(
      expect.arrayContaining([
        { address: 'bounced@example.org', reason: 'hard_bounce', source: 'dsn' },
        { address: 'complained@example.org', reason: 'complaint', source: 'webhook:ses' },
      ]),
    );
    const erased = items.find((item) => !item.hasAddress)!;
    expect(erased.address).toMatch(/^hash [0-9a-f]{12}…$/);
    expect(JSON.stringify(items)).not.toContain('erased@example.org');
  });

  it("reports a run's bounces and complaints and their rates", async () => {
    const response = await app.inject({ method: 'GET', url: `/api/admin/digests/${runId}/bounces`, headers: auth });
    expect(response.json()).toEqual({ runId, attempted: 4, hardBounces: 2, softBounces: 0, policyRefusals: 0, complaints: 1, hardBounceRate: 0.5, complaintRate: 0.25 });
  });

  it('suppresses by hand and lifts through the JSON API; lifting twice is a 404', async () => {
    const added = await app.inject({ method: 'POST', url: '/api/admin/suppressions', headers: auth, payload: { email: 'Fine@Example.org' } });
    expect(added.json()).toEqual({ isNew: true });
    const invalid = await app.inject({ method: 'POST', url: '/api/admin/suppressions', headers: auth, payload: { email: 'not an address' } });
    expect(invalid.statusCode).toBe(400);
    const { items } = (await app.inject({ method: 'GET', url: '/api/admin/suppressions', headers: auth })).json<TList>();
    const manual = items.find((item) => item.reason === 'manual')!;
    expect(manual.address).toBe('fine@example.org');
    const lifted = await app.inject({ method: 'DELETE', url: `/api/admin/suppressions/${manual.id}`, headers: auth });
    expect(lifted.json()).toEqual({ lifted: true, reason: 'manual' });
    expect((await app.inject({ method: 'DELETE', url: `/api/admin/suppressions/${manual.id}`, headers: auth })).statusCode).toBe(404);
  });

  it('the console lists suppressions, lifts one, and shows bounce and complaint rates on the run page', async () => {
    const page = await app.inject({ method: 'GET', url: '/admin/suppressions', headers: { cookie: cookieHeader(jar) } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('bounced@example.org');
    expect(page.body).toContain('Spam complaint');
    expect(page.body).not.toContain('erased@example.org');
    const { items } = (await app.inject({ method: 'GET', url: '/api/admin/suppressions', headers: auth })).json<TList>();
    const bounced = items.find((item) => item.address === 'bounced@example.org')!;
    const lift = await postForm(app, jar, { page: '/admin/suppressions', action: `/admin/suppressions/${bounced.id}/lift` });
    expect(lift.statusCode).toBe(303);
    const after = await app.inject({ method: 'GET', url: lift.headers.location!, headers: { cookie: cookieHeader(jar) } });
    expect(after.body).toContain('The suppression was lifted');
    expect(after.body).not.toContain('bounced@example.org');

    const run = await app.inject({ method: 'GET', url: `/admin/digests/runs/${runId}`, headers: { cookie: cookieHeader(jar) } });
    expect(run.body).toContain('id="run-bounces"');
    expect(run.body).toMatch(/<td>2<\/td><td>50\.0%<\/td>/);
    expect(run.body).toMatch(/<td>1<\/td><td>25\.0%<\/td>/);
  });
});
