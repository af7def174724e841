import { consentEvents, subscribers } from '@paperboy/db';
import { configFor, startSmtpCatcher, useTestContext } from '@paperboy/testing';
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { buildApp } from '../app.ts';
import { linkIn, listUnsubscribeUrl, seedTestTopics, startWorker } from './journey.support.ts';

const PUBLIC_URL = 'http://paperboy.test';

/** Reads the CSRF cookie and the form token from a preferences page, as a browser would keep them. */
function formSession(response: { headers: Record<string, unknown>; body: string }) {
  const setCookie = ([] as string[]).concat((response.headers['set-cookie'] as string | string[] | undefined) ?? []);
  const cookie = setCookie.map((line) => line.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
  if (!csrf) throw new Error('no CSRF token on the page');
  return { cookie, csrf };
}

describe('the subscriber journey, end to end through the real worker and SMTP', () => {
  const context = useTestContext();

  it('sign up, confirm from the email, change preferences, one-click unsubscribe, and get no further mail', async () => {
    await seedTestTopics(context.database.db);
    const catcher = await startSmtpCatcher();
    const env = { PUBLIC_URL };
    const worker = await startWorker({ context, catcher, env });
    const app = await buildApp({ config: configFor(context, env), logger: false });
    const path = (url: string) => {
      expect(url.startsWith(`${PUBLIC_URL}/`)).toBe(true);
      return url.slice(PUBLIC_URL.length);
    };
    try {
      // 1. Sign up through the form.
      const signup = await app.inject({
        method: 'POST',
        url: '/',
        payload: new URLSearchParams([
          ['email', 'Journey@Example.org'],
          ['topics', 'llms'],
          ['topics', 'robotics'],
          ['keywords', 'speculative decoding, World Models'],
          ['frequency', 'daily'],
          ['digestSize', '5'],
          ['website', ''],
        ]).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'journey-test' },
      });
      expect(signup.statusCode).toBe(200);
      expect(signup.body).toContain('Check your inbox');

      // 2. The confirmation email, with one-click unsubscribe headers and no raw address or id in its links.
      const [confirmation] = await catcher.waitForMessages(1);
      expect(confirmation!.envelope.to).toEqual(['journey@example.org']);
      expect(confirmation!.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      const confirmUrl = linkIn(confirmation!, 'confirm');
      const [row] = await context.database.db.select().from(subscribers).where(eq(subscribers.email, 'journey@example.org'));
      expect(row!.status).toBe('pending');
      for (const link of [confirmUrl, linkIn(confirmation!, 'preferences'), listUnsubscribeUrl(confirmation!)]) {
        expect(link).not.toContain('journey');
        expect(link).not.toContain(row!.id);
      }

      // 3. Follow the confirm link: the page's button posts back to the same address.
      const shown = await app.inject({ method: 'GET', url: path(confirmUrl) });
      expect(shown.body).toContain(`action="${path(confirmUrl)}"`);
      const confirmed = await app.inject({ method: 'POST', url: path(confirmUrl) });
      expect(confirmed.statusCode).toBe(200);
      expect(confirmed.body).toContain("You're subscribed");
      const preferencesUrl = /href="([^"]+\/preferences\/[^"]+)"/.exec(confirmed.body)![1]!;

      // 4. Change preferences in the preference center.
      const page = await app.inject({ method: 'GET', url: path(preferencesUrl) });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('journey@example.org');
      expect(page.body).toMatch(/value="speculative decoding, world models"/);
      const { cookie, csrf } = formSession(page);
      const saved = await app.inject({
        method: 'POST',
        url: path(preferencesUrl),
        payload: new URLSearchParams([
          ['_csrf', csrf],
          ['topics', 'diffusion'],
          ['keywords', 'consistency models'],
          ['frequency', 'weekly'],
          ['digestSize', '20'],
        ]).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      });
      expect(saved.statusCode).toBe(200);
      expect(saved.body).toContain('Your preferences were saved.');
      const [changed] = await context.database.db.select().from(subscribers).where(eq(subscribers.id, row!.id));
      expect(changed).toMatchObject({ status: 'confirmed', frequency: 'weekly', digestSize: 20 });

      // 5. Unsubscribe the way a mail client does: RFC 8058 one-click POST to the List-Unsubscribe URL.
      const oneClick = await app.inject({
        method: 'POST',
        url: path(listUnsubscribeUrl(confirmation!)),
        payload: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(oneClick.statusCode).toBe(200);

      // 6. No further mail: even jobs already queued for this subscriber send nothing now.
      await app.queues.enqueue({ queue: 'email', job: 'confirmation', payload: { subscriberId: row!.id }, jobId: `late-confirmation-${row!.id}` });
      await app.queues.enqueue({ queue: 'email', job: 'manage-preferences', payload: { subscriberId: row!.id }, jobId: `late-note-${row!.id}` });
      await vi.waitFor(
        async () => {
          for (const jobId of [`late-confirmation-${row!.id}`, `late-note-${row!.id}`]) {
            expect(await app.queues.get('email').getJobState(jobId)).toBe('completed');
          }
        },
        { timeout: 10_000, interval: 100 },
      );
      expect(catcher.messages).toHaveLength(1);

      const events = await context.database.db
        .select({ kind: consentEvents.kind, userAgent: consentEvents.userAgent })
        .from(consentEvents)
        .where(eq(consentEvents.subscriberId, row!.id))
        .orderBy(asc(consentEvents.id));
      expect(events.map((event) => event.kind)).toEqual(['signup', 'confirm', 'preferences_changed', 'unsubscribe']);
      expect(events[0]!.userAgent).toBe('journey-test');
    } finally {
      await app.close();
      await worker.close();
      await catcher.close();
    }
  });
});
