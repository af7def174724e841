import { HeaderInjectionError, createMailer, createMessageSkeleton } from '@paperboy/email';
import { configFor, startSmtpCatcher, useTestContext, type TSmtpCatcher } from '@paperboy/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { seedTestTopics } from '../pages/journey.support.ts';

const INJECTIONS = ['\r\nBcc: victim@evil.test', '\nBcc: victim@evil.test', '\rBcc: victim@evil.test', '%0d%0aBcc: victim@evil.test'];

describe('CR/LF never reaches a mail header', () => {
  const context = useTestContext();
  let app: FastifyInstance;
  let catcher: TSmtpCatcher;

  beforeAll(async () => {
    await seedTestTopics(context.database.db);
    catcher = await startSmtpCatcher();
    app = await buildApp({ config: configFor(context, { SIGNUP_RATE_LIMIT_MAX: '1000' }), logger: false });
  });
  afterAll(async () => {
    await app?.close();
    await catcher?.close();
  });

  it.each(INJECTIONS.slice(0, 3))('a signup with %j in the address or a keyword is refused, naming the field', async (injection) => {
    for (const [field, body] of [
      ['email', { email: `ada@example.org${injection}`, topics: ['llms'] }],
      ['keywords', { email: 'ada@example.org', topics: ['llms'], keywords: [`kv cache${injection}`] }],
    ] as const) {
      const response = await app.inject({ method: 'POST', url: '/api/subscriptions', payload: body });
      expect(response.statusCode).toBe(400);
      expect(response.json<{ error: { message: string } }>().error.message).toContain(field);
    }
  });

  it('a message refuses a line break in any header value rather than be built, and the server receives nothing', async () => {
    const skeleton = createMessageSkeleton({ from: 'Paperboy <digest@paperboy.test>' });
    const base = { to: 'ada@example.org', subject: 'Your digest', html: '<p>hi</p>', text: 'hi', messageId: '<id@paperboy.test>' };
    const attempts = INJECTIONS.slice(0, 3).flatMap((injection) => [
      () => skeleton.compose({ ...base, to: `ada@example.org${injection}` }),
      () => skeleton.compose({ ...base, subject: `Paper title${injection}` }),
      () => skeleton.compose({ ...base, messageId: `<id@x>${injection}` }),
      () => skeleton.compose({ ...base, listUnsubscribe: [`https://paperboy.test/u/x${injection}`] }),
      () => createMessageSkeleton({ from: 'Paperboy <digest@paperboy.test>', headers: { [`X-Keyword${injection}`]: 'x' } }),
      () => createMessageSkeleton({ from: `Paperboy <digest@paperboy.test>${injection}` }),
    ]);
    for (const attempt of attempts) expect(attempt).toThrow(HeaderInjectionError);
    expect(catcher.messages).toHaveLength(0);
  });

  it('an encoded line break (%0d%0a) is sent as plain text inside the one header, never as a new header', async () => {
    const mailer = createMailer({ smtpUrl: catcher.url });
    const skeleton = createMessageSkeleton({ from: 'Paperboy <digest@paperboy.test>' });
    await mailer.send(skeleton.compose({ to: 'ada@example.org', subject: `Paper title${INJECTIONS[3]}`, html: '<p>hi</p>', text: 'hi', messageId: '<id@paperboy.test>' }));
    mailer.close();
    const [message] = await catcher.waitForMessages(1);
    expect(message!.header('bcc')).toBeUndefined();
    expect(message!.envelope.to).toEqual(['ada@example.org']);
    expect(message!.parsed.subject).toBe(`Paper title${INJECTIONS[3]}`);
  });
});
