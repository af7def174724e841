import { loadConfig } from '@paperboy/config';
import { subscribers, topics } from '@paperboy/db';
import { compileTransactionalTemplates, createMailer } from '@paperboy/email';
import { startSmtpCatcher, useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createSubscriptionEmailSkeletons, sendSubscriptionEmail } from './subscription-emails.usecases.ts';
import { signup } from './subscriptions.usecases.ts';

describe('sendSubscriptionEmail', () => {
  const context = useTestContext();

  async function setUp(email: string) {
    const db = context.database.db;
    await db.insert(topics).values({ slug: 'llms', name: 'Large language models', description: 'LLMs', terms: [{ term: 'LLM', weight: 1 }] }).onConflictDoNothing();
    const config = loadConfig({ env: { NODE_ENV: 'test', PUBLIC_URL: 'https://paperboy.test' } });
    await signup({
      db,
      secretKey: config.security.secretKey,
      confirmationResendMs: config.subscriptions.confirmationResendMs,
      enqueueEmail: async () => {},
      input: { email, topics: ['llms'], keywords: [], frequency: 'weekly', digestSize: 10 },
    });
    const [row] = await db.select().from(subscribers).where(eq(subscribers.email, email));
    const catcher = await startSmtpCatcher();
    const mailer = createMailer({ smtpUrl: catcher.url });
    const deps = { db, mailer, templates: await compileTransactionalTemplates(), subscriptionSkeletons: createSubscriptionEmailSkeletons({ from: config.mail.from }), config };
    return { deps, catcher, mailer, subscriberId: row!.id };
  }

  it('sends one confirmation per resend interval, however many jobs ask', async () => {
    const { deps, catcher, mailer, subscriberId } = await setUp('interval@example.org');
    try {
      const now = new Date();
      const results = await Promise.all(Array.from({ length: 5 }, () => sendSubscriptionEmail({ deps, job: 'confirmation', subscriberId, now })));
      expect(results.filter((result) => result.outcome === 'sent')).toHaveLength(1);
      const later = new Date(now.getTime() + 11 * 60_000);
      expect((await sendSubscriptionEmail({ deps, job: 'confirmation', subscriberId, now: later })).outcome).toBe('sent');
      expect(catcher.messages).toHaveLength(2);
      const [message] = catcher.messages;
      expect(message!.parsed.text).toContain('https://paperboy.test/confirm/');
      expect(message!.header('list-unsubscribe')).toMatch(/^<https:\/\/paperboy\.test\/unsubscribe\/[\w.-]+>$/);
    } finally {
      mailer.close();
      await catcher.close();
    }
  });

  it('gives the claim back when the SMTP server refuses, so the retry can send', async () => {
    const { deps, catcher, mailer, subscriberId } = await setUp('retry@example.org');
    try {
      catcher.respondWith(() => ({ code: 421, message: 'Try again later' }));
      await expect(sendSubscriptionEmail({ deps, job: 'confirmation', subscriberId })).rejects.toThrow();
      const [row] = await deps.db.select().from(subscribers).where(eq(subscribers.id, subscriberId));
      expect(row!.lastConfirmationSentAt).toBeNull();
      catcher.respondWith(undefined);
      expect((await sendSubscriptionEmail({ deps, job: 'confirmation', subscriberId })).outcome).toBe('sent');
    } finally {
      mailer.close();
      await catcher.close();
    }
  });

  it('sends nothing to an unsubscribed address, nor a manage-preferences note to a pending one', async () => {
    const { deps, catcher, mailer, subscriberId } = await setUp('quiet@example.org');
    try {
      expect(await sendSubscriptionEmail({ deps, job: 'manage-preferences', subscriberId })).toEqual({ outcome: 'skipped', reason: 'not_applicable' });
      await deps.db.update(subscribers).set({ status: 'unsubscribed' }).where(eq(subscribers.id, subscriberId));
      expect(await sendSubscriptionEmail({ deps, job: 'confirmation', subscriberId })).toEqual({ outcome: 'skipped', reason: 'not_applicable' });
      expect(catcher.messages).toHaveLength(0);
    } finally {
      mailer.close();
      await catcher.close();
    }
  });
});
