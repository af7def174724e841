import { configFor, getFreePort, startSmtpCatcher, useTestContext, type TSmtpCatcher } from '@paperboy/testing';
import type { TWorkerRuntime } from '@paperboy/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { startWorker } from '../pages/journey.support.ts';

const METRICS_TOKEN = 'metrics-token-for-tests-0123';

describe('GET /metrics with METRICS_TOKEN set', () => {
  const context = useTestContext();
  let app: FastifyInstance;
  let worker: TWorkerRuntime;
  let catcher: TSmtpCatcher;
  let workerMetricsUrl: string;

  beforeAll(async () => {
    const env = { METRICS_TOKEN, DIGEST_SCHEDULES_ENABLED: 'false', RUN_SEED_ON_START: 'false' };
    catcher = await startSmtpCatcher();
    worker = await startWorker({ context, catcher, env: { ...env, WORKER_METRICS_PORT: String(await getFreePort()) } });
    workerMetricsUrl = `http://127.0.0.1:${worker.metricsPort()}/metrics`;
    app = await buildApp({ config: configFor(context, env), logger: false });
  });
  afterAll(async () => {
    await app?.close();
    await worker?.close();
    await catcher?.close();
  });

  const scrapeApi = (authorization?: string) => app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
  const scrapeWorker = (authorization?: string) => fetch(workerMetricsUrl, { headers: authorization ? { authorization } : {} });

  it('the API answers 401 to a scrape without the token, or with a wrong one', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', METRICS_TOKEN, `Basic ${METRICS_TOKEN}`]) {
      const response = await scrapeApi(authorization);
      expect(response.statusCode, String(authorization)).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer /);
      expect(response.body).not.toContain('paperboy_');
    }
  });

  it('the API serves the metrics to a scrape with the token', async () => {
    const response = await scrapeApi(`Bearer ${METRICS_TOKEN}`);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('paperboy_http_requests_total');
  });

  it("the worker's metrics server answers 401 without the token and serves the metrics with it", async () => {
    const refused = await scrapeWorker();
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toContain('paperboy_');
    expect((await scrapeWorker('Bearer not-the-token-0123456')).status).toBe(401);
    const served = await scrapeWorker(`Bearer ${METRICS_TOKEN}`);
    expect(served.status).toBe(200);
    expect(await served.text()).toContain('paperboy_queue_jobs');
  });
});
