import { subscribers } from '@paperboy/db';
import { createToken, hashEmail } from '@paperboy/domain';
import { configFor, useTestContext } from '@paperboy/testing';
import { eq, inArray } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';

const SECRET_KEY = 'security-test-secret-key-0123456789abcdef';
const DAY = 86_400_000;

describe('tokens in links: forged, truncated, swapped and expired ones are refused', () => {
  const context = useTestContext();
  let app: FastifyInstance;
  let ada: string;
  let bob: string;

  beforeAll(async () => {
    app = await buildApp({ config: configFor(context, { SECRET_KEY }), logger: false });
    const rows = await context.database.db
      .insert(subscribers)
      .values(
        ['ada@example.org', 'bob@example.org'].map((email) => ({ email, emailHash: hashEmail({ secretKey: SECRET_KEY, email }), status: 'confirmed' as const, confirmedAt: new Date() })),
      )
      .returning();
    [ada, bob] = rows.map((row) => row.id) as [string, string];
  });
  afterAll(async () => {
    await app?.close();
  });

  const token = (subscriberId: string, purpose: 'confirm' | 'preferences' | 'unsubscribe', expiresAt = new Date(Date.now() + DAY)) =>
    createToken({ secretKey: SECRET_KEY, subscriberId, purpose, expiresAt });
  const statuses = async () =>
    (await context.database.db.select({ id: subscribers.id, status: subscribers.status }).from(subscribers).where(inArray(subscribers.id, [ada, bob]))).map(
      (row) => row.status,
    );

  function badTokens() {
    const valid = token(ada, 'unsubscribe');
    const [payload, mac] = valid.split('.') as [string, string];
    const [bobPayload] = token(bob, 'unsubscribe').split('.') as [string, string];
    const flipped = `${payload.slice(0, -2)}${payload.at(-2) === 'A' ? 'B' : 'A'}${payload.at(-1)}`;
    return {
      forged: `${payload}.${Buffer.alloc(16, 7).toString('base64url')}`,
      'signed with another key': createToken({ secretKey: 'another-secret-key-0123456789abcdefgh', subscriberId: ada, purpose: 'unsubscribe', expiresAt: new Date(Date.now() + DAY) }),
      truncated: valid.slice(0, -4),
      'without its signature': payload,
      'payload tampered': `${flipped}.${mac}`,
      "another subscriber's payload with this signature": `${bobPayload}.${mac}`,
      'issued for confirming': token(ada, 'confirm'),
      'issued for preferences': token(ada, 'preferences'),
      expired: token(ada, 'unsubscribe', new Date(Date.now() - 1_000)),
      empty: '',
      garbage: '../../etc/passwd',
    };
  }

  const KINDS = ['forged', 'signed with another key', 'truncated', 'without its signature', 'payload tampered', "another subscriber's payload with this signature", 'issued for confirming', 'issued for preferences', 'expired', 'empty', 'garbage'] as const;

  it.each(KINDS)('an unsubscribe token that is %s unsubscribes nobody', async (kind) => {
    const bad = badTokens()[kind];
    const page = await app.inject({ method: 'GET', url: `/unsubscribe/${encodeURIComponent(bad)}` });
    const oneClick = await app.inject({ method: 'POST', url: `/unsubscribe/${encodeURIComponent(bad)}`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect([page.statusCode, oneClick.statusCode].every((status) => status >= 400 && status < 500)).toBe(true);
    expect(await statuses()).toEqual(['confirmed', 'confirmed']);
  });

  it('a confirm or preferences link refuses tokens made for another purpose, and expired ones', async () => {
    for (const url of [`/confirm/${token(ada, 'unsubscribe')}`, `/confirm/${token(ada, 'preferences')}`, `/preferences/${token(ada, 'confirm')}`, `/preferences/${token(ada, 'unsubscribe')}`, `/preferences/${token(ada, 'preferences', new Date(Date.now() - 1_000))}`]) {
      const response = await app.inject({ method: 'GET', url });
      expect({ url, status: response.statusCode >= 400 && response.statusCode < 500 }).toEqual({ url, status: true });
      expect(response.body).not.toContain('ada@example.org');
    }
  });

  it('the one-click unsubscribe, replayed, never reaches another subscriber', async () => {
    const url = `/unsubscribe/${token(ada, 'unsubscribe')}`;
    const answers = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      answers.push((await app.inject({ method: 'POST', url, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode);
    }
    expect(answers).toEqual([200, 200, 200]);
    const [adaRow] = await context.database.db.select().from(subscribers).where(eq(subscribers.id, ada));
    const [bobRow] = await context.database.db.select().from(subscribers).where(eq(subscribers.id, bob));
    expect([adaRow!.status, bobRow!.status]).toEqual(['unsubscribed', 'confirmed']);
  });
});
