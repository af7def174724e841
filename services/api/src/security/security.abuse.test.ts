import { writeFile } from 'node:fs/promises';
import { subscribers } from '@paperboy/db';
import { hashEmail } from '@paperboy/domain';
import { artifactPath, configFor, startSmtpCatcher, useTestContext, type TSmtpCatcher } from '@paperboy/testing';
import type { TWorkerRuntime } from '@paperboy/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { seedTestTopics, startWorker } from '../pages/journey.support.ts';

const SECRET_KEY = 'abuse-test-secret-key-0123456789abcdefgh';
const SAMPLES = 200;

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('signup abuse and address enumeration', () => {
  const context = useTestContext();
  let app: FastifyInstance;
  let catcher: TSmtpCatcher;
  let worker: TWorkerRuntime;

  beforeAll(async () => {
    await seedTestTopics(context.database.db);
    catcher = await startSmtpCatcher();
    worker = await startWorker({ context, catcher, env: { SECRET_KEY } });
    app = await buildApp({ config: configFor(context, { SECRET_KEY, SIGNUP_RATE_LIMIT_MAX: '10' }), logger: false });
  });
  afterAll(async () => {
    await app?.close();
    await worker?.close();
    await catcher?.close();
  });

  const signup = (email: string, ip: string) =>
    app.inject({ method: 'POST', url: '/api/subscriptions', payload: { email, topics: ['llms'] }, remoteAddress: ip });

  it('a burst of 40 signups from one IP gets exactly 10 through and 429 for the rest', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, n) => signup(`burst${n}@example.org`, '203.0.113.7')));
    const counts = { 202: 0, 429: 0 } as Record<number, number>;
    for (const answer of answers) counts[answer.statusCode] = (counts[answer.statusCode] ?? 0) + 1;
    expect(counts).toEqual({ 202: 10, 429: 30 });
  });

  it('a burst of 20 signups of one address from 20 IPs sends it one email', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => signup('target@example.org', `198.51.100.${n + 1}`)));
    expect(answers.every((answer) => answer.statusCode === 202)).toBe(true);
    await catcher.waitForMessages(1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(catcher.messages.filter((message) => message.envelope.to[0] === 'target@example.org')).toHaveLength(1);
  });

  it(`no answer tells a subscribed address from a new one: same status and body over ${SAMPLES} of each (timing reported, not asserted)`, async () => {
    const existing = Array.from({ length: SAMPLES }, (_, n) => `member${n}@example.org`);
    await context.database.db.insert(subscribers).values(
      existing.map((email) => ({ email, emailHash: hashEmail({ secretKey: SECRET_KEY, email }), status: 'confirmed' as const, confirmedAt: new Date() })),
    );
    const timings = { new: [] as number[], existing: [] as number[] };
    const answers = new Set<string>();
    // Interleaved, one IP each, so drift in machine load hits both groups alike.
    for (let n = 0; n < SAMPLES; n++) {
      for (const [group, email] of [['new', `stranger${n}@example.org`], ['existing', existing[n]!]] as const) {
        const began = performance.now();
        const response = await signup(email, `10.${group === 'new' ? 1 : 2}.${n >> 8}.${n & 255}`);
        timings[group].push(performance.now() - began);
        answers.add(`${response.statusCode} ${response.body}`);
      }
    }
    expect([...answers]).toEqual([expect.stringMatching(/^202 /) as string]);
    const figures = {
      samples: SAMPLES,
      medianNewMs: Math.round(median(timings.new) * 100) / 100,
      medianExistingMs: Math.round(median(timings.existing) * 100) / 100,
      medianDifferenceMs: Math.round((median(timings.existing) - median(timings.new)) * 100) / 100,
    };
    console.log('signup timing, new vs existing addresses:', figures);
    const file = await artifactPath('security', 'signup-timing.json');
    await writeFile(file, `${JSON.stringify(figures, null, 2)}\n`);
  }, 120_000);
});
