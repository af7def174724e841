import { subscribers } from '@paperboy/db';
import { createLogger } from '@paperboy/logger';
import { configFor, startSmtpCatcher, useTestContext } from '@paperboy/testing';
import { describe, expect, it } from 'vitest';
import { createWorkerRuntime } from '../runtime.ts';

describe('the confirmation sweep', () => {
  const context = useTestContext();

  it('sends the confirmation of a pending signup whose job never reached the queue', async () => {
    const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    await context.database.db.insert(subscribers).values([
      // The API answered (202 or 503), but Redis never got, or lost, the job.
      { email: 'lost@example.org', emailHash: 'h-lost', status: 'pending', createdAt: minutesAgo(5) },
      // Too fresh: its job may still be on its way.
      { email: 'fresh@example.org', emailHash: 'h-fresh', status: 'pending', createdAt: new Date() },
      { email: 'sent@example.org', emailHash: 'h-sent', status: 'pending', createdAt: minutesAgo(5), lastConfirmationSentAt: minutesAgo(4) },
    ]);
    const catcher = await startSmtpCatcher();
    const runtime = createWorkerRuntime({
      config: configFor(context, { SMTP_URL: catcher.url, DIGEST_SCHEDULES_ENABLED: 'false', DIGEST_SUPERVISOR_INTERVAL_MS: '200' }),
      logger: createLogger({ level: 'silent', name: 'test' }),
    });
    await runtime.start();
    try {
      const [message] = await catcher.waitForMessages(1);
      expect(message!.envelope.to).toEqual(['lost@example.org']);
      expect(message!.parsed.text).toContain('/confirm/');
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(catcher.messages.map((caught) => caught.envelope.to[0])).toEqual(['lost@example.org']);
    } finally {
      await runtime.close();
      await catcher.close();
    }
  });
});
