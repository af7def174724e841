import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSmtpCatcher } from '@paperboy/testing';
import { describe, expect, it } from 'vitest';
import { compileTransactionalTemplates } from './catalog.ts';
import { createMailer } from './mailer.ts';
import { createMessageSkeleton } from './message.skeleton.ts';
import { verifyDkim } from './dkim.test-support.ts';
import { compileTemplate, TemplateError } from './templates.ts';

const footer = {
  footerNote: 'You get this because you signed up at Paperboy.',
  preferencesUrl: 'https://paperboy.test/preferences/tok-p',
  unsubscribeUrl: 'https://paperboy.test/unsubscribe/tok-u',
  postalAddress: '1 Example Street',
};

describe('email templates', () => {
  it('compile once and fill values into both the HTML and the plain-text part', async () => {
    const templates = await compileTransactionalTemplates();
    const { html, text } = templates.confirmation({
      ...footer,
      frequency: 'weekly',
      topicList: 'Diffusion models',
      confirmUrl: 'https://paperboy.test/confirm/tok-c',
    });
    expect(html).toContain('href="https://paperboy.test/confirm/tok-c"');
    expect(html).toContain('href="https://paperboy.test/unsubscribe/tok-u"');
    expect(html).not.toContain('<mj-');
    expect(text).toContain('https://paperboy.test/confirm/tok-c');
    expect(text).toContain('Unsubscribe: https://paperboy.test/unsubscribe/tok-u');
    expect(text).not.toContain('<');
  });

  it('escapes hostile text so it shows as text in the HTML', async () => {
    const templates = await compileTransactionalTemplates();
    const { html } = templates['manage-preferences']({
      ...footer,
      frequency: 'weekly',
      topicList: '"><img src=x onerror=alert(1)><script>alert(2)</script>',
    });
    expect(html).not.toContain('<script>alert(2)');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
  });

  it('a template with invalid MJML fails at compile time, naming the template', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-mjml-'));
    await writeFile(join(dir, 'broken.mjml'), '<mjml><mj-body><mj-section><mj-text>x</mj-text></mj-section></mj-body></mjml>');
    await writeFile(join(dir, 'broken.txt.hbs'), 'x');
    await expect(compileTemplate({ name: 'broken', dir })).rejects.toThrow(TemplateError);
    await expect(compileTemplate({ name: 'broken', dir })).rejects.toThrow(/"broken"/);
  });

  it('a template that uses a value the data lacks fails instead of printing nothing', async () => {
    const templates = await compileTransactionalTemplates();
    expect(() => templates.confirmation({ ...footer, frequency: 'weekly', topicList: 'x' } as never)).toThrow(/confirmUrl/);
  });
});

describe('the mailer', () => {
  const skeleton = createMessageSkeleton({ from: 'Paperboy <digest@paperboy.test>', headers: { 'List-Id': 'Paperboy <digest.paperboy.test>' } });
  const message = (to = 'ada@example.org') => skeleton.compose({ to, subject: 'Hello', html: '<p>Hi</p>', text: 'Hi', messageId: '<delivery-1@paperboy.test>' });

  it('delivers a composed message over SMTP under its envelope, with both parts and the given Message-ID', async () => {
    const catcher = await startSmtpCatcher();
    const mailer = createMailer({ smtpUrl: catcher.url });
    try {
      const result = await mailer.send(message());
      expect(result.messageId).toBe('<delivery-1@paperboy.test>');
      expect(result.response).toMatch(/^250/);
      const [caught] = await catcher.waitForMessages(1);
      expect(caught!.envelope).toEqual({ from: 'digest@paperboy.test', to: ['ada@example.org'] });
      expect(caught!.header('message-id')).toBe('<delivery-1@paperboy.test>');
      expect(caught!.header('list-id')).toBe('Paperboy <digest.paperboy.test>');
      expect(caught!.parsed.text?.trim()).toBe('Hi');
      expect(caught!.parsed.html).toContain('<p>Hi</p>');
    } finally {
      mailer.close();
      await catcher.close();
    }
  });

  it('signs a composed message with DKIM, and the signature verifies against the public key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const catcher = await startSmtpCatcher();
    const dkim = { domainName: 'paperboy.test', keySelector: 'mail', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    const mailer = createMailer({ smtpUrl: catcher.url, dkim });
    try {
      await mailer.send(message());
      const [caught] = await catcher.waitForMessages(1);
      expect(caught!.header('dkim-signature')).toContain('d=paperboy.test');
      expect(verifyDkim(caught!.raw, publicKey)).toBe(true);
      // The check can fail: the same signature does not cover a changed body.
      expect(verifyDkim(caught!.raw.replace(/\r\n\r\n/, '\r\n\r\nX'), publicKey)).toBe(false);
    } finally {
      mailer.close();
      await catcher.close();
    }
  });
});
