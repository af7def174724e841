import { consentEvents, subscribers } from '@paperboy/db';
import { configFor, useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { seedTestTopics } from '../pages/journey.support.ts';

describe('X-Forwarded-For is believed only from a configured proxy', () => {
  const context = useTestContext();
  let untrusting: FastifyInstance;
  let behindProxy: FastifyInstance;
  let oneHop: FastifyInstance;

  beforeAll(async () => {
    await seedTestTopics(context.database.db);
    // Both apps count signups in the same Redis namespace, as two API processes would.
    untrusting = await buildApp({ config: configFor(context, { SIGNUP_RATE_LIMIT_MAX: '2' }), logger: false });
    behindProxy = await buildApp({ config: configFor(context, { SIGNUP_RATE_LIMIT_MAX: '2', TRUST_PROXY: '10.0.0.0/8' }), logger: false });
    oneHop = await buildApp({ config: configFor(context, { SIGNUP_RATE_LIMIT_MAX: '2', TRUST_PROXY: '1' }), logger: false });
  });
  afterAll(async () => {
    await untrusting?.close();
    await behindProxy?.close();
    await oneHop?.close();
  });

  const signup = (app: FastifyInstance, email: string, peer: string, forwardedFor: string) =>
    app.inject({
      method: 'POST',
      url: '/api/subscriptions',
      payload: { email, topics: ['llms'] },
      remoteAddress: peer,
      headers: { 'x-forwarded-for': forwardedFor },
    });

  const consentIpOf = async (email: string) => {
    const [row] = await context.database.db
      .select({ ip: consentEvents.ip })
      .from(consentEvents)
      .innerJoin(subscribers, eq(subscribers.id, consentEvents.subscriberId))
      .where(eq(subscribers.email, email));
    return row?.ip;
  };

  it('by default, a forged header changes neither the rate-limit key nor the IP in the consent log', async () => {
    const answers = [];
    for (const n of [1, 2, 3]) answers.push(await signup(untrusting, `forged${n}@example.org`, '203.0.113.50', `192.0.2.${n}`));
    expect(answers.map((answer) => answer.statusCode)).toEqual([202, 202, 429]);
    expect(await consentIpOf('forged1@example.org')).toBe('203.0.113.50');
  });

  it('a peer outside TRUST_PROXY is not believed either', async () => {
    const answers = [];
    for (const n of [1, 2, 3]) answers.push(await signup(behindProxy, `stranger${n}@example.org`, '203.0.113.60', `192.0.2.${10 + n}`));
    expect(answers.map((answer) => answer.statusCode)).toEqual([202, 202, 429]);
    expect(await consentIpOf('stranger1@example.org')).toBe('203.0.113.60');
  });

  it("a configured proxy's header names the client: it is the rate-limit key and the consent log's ip", async () => {
    const answers = [];
    for (const n of [1, 2, 3]) answers.push(await signup(behindProxy, `proxied${n}@example.org`, '10.1.2.3', `198.51.100.${n}`));
    expect(answers.map((answer) => answer.statusCode)).toEqual([202, 202, 202]);
    expect(await consentIpOf('proxied2@example.org')).toBe('198.51.100.2');
  });

  it('with a hop count of 1, the address the nearest proxy saw is the client, not what the client wrote before it', async () => {
    const response = await signup(oneHop, 'hop@example.org', '10.9.9.9', '192.0.2.99, 198.51.100.77');
    expect(response.statusCode).toBe(202);
    expect(await consentIpOf('hop@example.org')).toBe('198.51.100.77');
  });
});
