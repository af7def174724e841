import { insertDigestFixture } from '@paperboy/domain/test-fixtures';
import { createLogger } from '@paperboy/logger';
import { configFor, getFreePort, startSmtpCatcher, useTestContext, type TSmtpCatcher } from '@paperboy/testing';
import { createWorkerRuntime, type TWorkerRuntime } from '@paperboy/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../app.ts';
import { linkIn, seedTestTopics } from '../pages/journey.support.ts';

const ADMIN_TOKEN = 'admin-token-for-metrics-tests';

/** The value of one sample line, e.g. `paperboy_signups_total` or `paperboy_emails_sent_total{kind="digest"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  const context = useTestContext();
  let app: FastifyInstance;
  let catcher: TSmtpCatcher;
  let worker: TWorkerRuntime;
  let workerMetricsUrl: string;

  beforeAll(async () => {
    await seedTestTopics(context.database.db);
    catcher = await startSmtpCatcher();
    const env = { ADMIN_TOKEN, SMTP_URL: catcher.url, PUBLIC_URL: 'http://paperboy.test', DIGEST_SCHEDULES_ENABLED: 'false', DIGEST_SUPERVISOR_INTERVAL_MS: '200' };
    const port = await getFreePort();
    worker = createWorkerRuntime({ config: configFor(context, { ...env, WORKER_METRICS_PORT: String(port) }), logger: createLogger({ level: 'silent', name: 'test' }) });
    await worker.start();
    workerMetricsUrl = `http://127.0.0.1:${worker.metricsPort()}/metrics`;
    app = await buildApp({ config: configFor(context, env), logger: false });
  });
  afterAll(async () => {
    await app?.close();
    await worker?.close();
    await catcher?.close();
  });

  const scrape = async () => {
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.body;
  };

  it('counts requests by route pattern and status, never by raw URL, so tokens stay out of the labels', async () => {
    await app.inject({ method: 'GET', url: '/confirm/not-a-real-token-123' });
    const text = await scrape();
    expect(sample(text, 'paperboy_http_requests_total{method="GET",route="/confirm/:token",status="404"}')).toBe(1);
    expect(text).not.toContain('not-a-real-token-123');
    expect(text).toContain('paperboy_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/confirm/:token",status="404"}');
  });

  it('reports queue depths per queue and state, read from Redis at scrape time', async () => {
    const text = await scrape();
    for (const queue of ['email', 'papers', 'digest-runs', 'digest-sends']) {
      expect(sample(text, `paperboy_queue_jobs{queue="${queue}",state="failed"}`), queue).toBe(0);
    }
  });

  it('a signup and its confirmation show in the API metrics, and the confirmation email in the worker metrics', async () => {
    const before = await scrape();
    expect(sample(before, 'paperboy_signups_total')).toBe(0);

    const signup = await app.inject({ method: 'POST', url: '/api/subscriptions', payload: { email: 'ada@example.org', topics: ['llms'] } });
    expect(signup.statusCode).toBe(202);
    const afterSignup = await scrape();
    expect(sample(afterSignup, 'paperboy_signups_total')).toBe(1);
    expect(sample(afterSignup, 'paperboy_subscribers{status="pending"}')).toBe(1);
    expect(sample(afterSignup, 'paperboy_http_requests_total{method="POST",route="/api/subscriptions",status="202"}')).toBe(1);

    const [message] = await catcher.waitForMessages(1);
    const confirm = await app.inject({ method: 'POST', url: new URL(linkIn(message!, 'confirm')).pathname });
    expect(confirm.statusCode).toBe(200);
    const afterConfirm = await scrape();
    expect(sample(afterConfirm, 'paperboy_confirmations_total')).toBe(1);
    expect(sample(afterConfirm, 'paperboy_subscribers{status="confirmed"}')).toBe(1);

    await vi.waitFor(async () => {
      const text = await (await fetch(workerMetricsUrl)).text();
      expect(sample(text, 'paperboy_emails_sent_total{kind="confirmation"}')).toBe(1);
      expect(sample(text, 'paperboy_job_duration_seconds_count{queue="email",job="confirmation",outcome="completed"}')).toBe(1);
    });
  });

  it('a sent digest shows in the worker metrics as an email of kind digest, with its SMTP latency and job duration', async () => {
    await insertDigestFixture({
      db: context.database.db,
      topicSlugs: ['vision'],
      paperList: [{ arxivId: '2611.00042', upvotes: 5, topics: { vision: 1 } }],
      subscriberList: [{ email: 'bob@example.org', topics: ['vision'] }, { email: 'cy@example.org', topics: ['vision'] }],
    });
    const created = await app.inject({ method: 'POST', url: '/api/admin/digests', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { frequency: 'weekly' } });
    expect(created.statusCode).toBe(201);
    const { run } = created.json<{ run: { id: string; plannedCount: number } }>();
    expect(run.plannedCount).toBe(2);

    await vi.waitFor(
      async () => {
        const text = await (await fetch(workerMetricsUrl)).text();
        expect(sample(text, 'paperboy_emails_sent_total{kind="digest"}')).toBe(2);
        expect(sample(text, 'paperboy_smtp_send_duration_seconds_count{kind="digest",outcome="sent"}')).toBe(2);
        // Both digests went out in one send job (a batch of up to DIGEST_SEND_BATCH_SIZE).
        expect(sample(text, 'paperboy_job_duration_seconds_count{queue="digest-sends",job="send",outcome="completed"}')).toBe(1);
        expect(sample(text, 'paperboy_job_duration_seconds_count{queue="digest-runs",job="start",outcome="completed"}')).toBe(1);
      },
      { timeout: 15_000, interval: 100 },
    );
    // Each app and runtime keeps its own registry: the API counted no email.
    expect(await scrape()).not.toContain('paperboy_emails_sent_total{');
  });

  it('two apps in one process keep separate counts', async () => {
    const other = await buildApp({ config: configFor(context, { ADMIN_TOKEN }), logger: false });
    try {
      await other.inject({ method: 'GET', url: '/healthz' });
      await other.inject({ method: 'GET', url: '/healthz' });
      const otherText = (await other.inject({ method: 'GET', url: '/metrics' })).body;
      expect(sample(otherText, 'paperboy_http_requests_total{method="GET",route="/healthz",status="200"}')).toBe(2);
      expect(sample(await scrape(), 'paperboy_http_requests_total{method="GET",route="/healthz",status="200"}')).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});
