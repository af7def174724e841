import { configFor, useTestContext } from '@paperboy/testing';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';

// A port on which nothing listens: the dependency is "stopped".
const CLOSED_PORT = 1;

describe('health routes', () => {
  const context = useTestContext();

  it('GET /healthz answers 200 while the process is up', async () => {
    const app = await buildApp({ config: configFor(context), logger: false });
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    await app.close();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 when PostgreSQL and Redis answer', async () => {
    const app = await buildApp({ config: configFor(context), logger: false });
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    await app.close();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', checks: { postgres: { status: 'ok' }, redis: { status: 'ok' } } });
  });

  it('GET /readyz answers 503 naming Redis when Redis is stopped', async () => {
    const app = await buildApp({ config: configFor(context, { REDIS_URL: `redis://127.0.0.1:${CLOSED_PORT}` }), logger: false });
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    await app.close();
    expect(response.statusCode).toBe(503);
    const body = response.json<{ status: string; checks: Record<string, { status: string; error?: string }> }>();
    expect(body.status).toBe('unavailable');
    expect(body.checks.postgres).toEqual({ status: 'ok' });
    expect(body.checks.redis?.status).toBe('error');
    expect(body.checks.redis?.error).toBeTruthy();
  });

  it('GET /readyz answers 503 naming PostgreSQL when PostgreSQL is stopped', async () => {
    const url = new URL(context.database.url);
    url.port = String(CLOSED_PORT);
    const app = await buildApp({ config: configFor(context, { DATABASE_URL: url.toString() }), logger: false });
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    await app.close();
    expect(response.statusCode).toBe(503);
    const body = response.json<{ checks: Record<string, { status: string }> }>();
    expect(body.checks.postgres?.status).toBe('error');
    expect(body.checks.redis?.status).toBe('ok');
  });

  it('an unknown route gets the error shape with a 404', async () => {
    const app = await buildApp({ config: configFor(context), logger: false });
    const response = await app.inject({ method: 'GET', url: '/nope?x=1' });
    await app.close();
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'No route for GET /nope' } });
  });

  it('serves the OpenAPI document at /docs', async () => {
    const app = await buildApp({ config: configFor(context), logger: false });
    const response = await app.inject({ method: 'GET', url: '/docs/json' });
    await app.close();
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json<{ paths: object }>().paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
  });
});
