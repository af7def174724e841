import { createLogger } from '@paperboy/logger';
import { configFor, startSmtpCatcher, type TSmtpCatcher, useTestContext } from '@paperboy/testing';
import { createWorkerRuntime, type TWorkerRuntime } from '@paperboy/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../app.ts';
import { seedTestTopics } from '../pages/journey.support.ts';

type TLine = { msg: string; traceId?: string; job?: string; queue?: string };

describe('a request id', () => {
  const context = useTestContext();
  let app: Awaited<ReturnType<typeof buildApp>>;
  let catcher: TSmtpCatcher;
  let worker: TWorkerRuntime;
  const workerLines: TLine[] = [];

  beforeAll(async () => {
    await seedTestTopics(context.database.db);
    catcher = await startSmtpCatcher();
    // The request id is taken from X-Request-Id only when a trusted proxy (here the test's peer) sends it.
    app = await buildApp({ config: configFor(context, { TRUST_PROXY: '127.0.0.1' }), logger: false });
    const destination = { write: (line: string) => void workerLines.push(JSON.parse(line) as TLine) };
    worker = createWorkerRuntime({
      config: configFor(context, { SMTP_URL: catcher.url }),
      logger: createLogger({ level: 'info', name: 'worker', destination }),
    });
    await worker.start();
  });
  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await catcher?.close();
  });

  it("follows a signup from the HTTP request into the worker's log lines for its confirmation job", async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/subscriptions',
      payload: { email: 'traced@example.org', topics: ['llms'] },
      headers: { 'x-request-id': 'signup-trace-7f3a' },
    });
    expect(response.statusCode).toBe(202);
    await vi.waitFor(() => expect(workerLines.find((line) => line.msg === 'job done' && line.job === 'confirmation')).toBeDefined(), {
      timeout: 10_000,
      interval: 100,
    });
    // The handler's own line and the job's summary line both carry the request's id.
    expect(workerLines.find((line) => line.msg === 'subscription email')?.traceId).toBe('signup-trace-7f3a');
    expect(workerLines.find((line) => line.msg === 'job done' && line.job === 'confirmation')?.traceId).toBe('signup-trace-7f3a');
  });

  it('replaces an X-Request-Id that is not a short plain token, so it never reaches the worker', async () => {
    const forged = 'forged id; ann@example.org';
    const response = await app.inject({ method: 'POST', url: '/api/subscriptions', payload: { email: 'forged@example.org', topics: ['llms'] }, headers: { 'x-request-id': forged } });
    expect(response.statusCode).toBe(202);
    await vi.waitFor(() => expect(workerLines.filter((line) => line.msg === 'job done' && line.job === 'confirmation')).toHaveLength(2), { timeout: 10_000, interval: 100 });
    const traceIds = workerLines.map((line) => line.traceId).filter(Boolean);
    expect(traceIds).not.toContain(forged);
    expect(traceIds.at(-1)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
