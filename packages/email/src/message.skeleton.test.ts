import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { HeaderInjectionError } from './message.headers.ts';
import { createMessageSkeleton } from './message.skeleton.ts';

const base = { to: 'ada@example.org', subject: 'Your digest', html: '<p>hi</p>', text: 'hi', messageId: '<id-1@paperboy.test>' };

describe('a message skeleton', () => {
  it('writes base64 bodies in lines of at most 76 characters and CRLF line ends only', () => {
    const skeleton = createMessageSkeleton({ from: 'Paperboy <digest@paperboy.test>' });
    const raw = skeleton.compose({ ...base, html: `<p>${'é'.repeat(5_000)}</p>`, text: 'x'.repeat(1_000) }).raw.toString('latin1');
    const lines = raw.split('\r\n');
    expect(lines.every((line) => line.length <= 76 || line.startsWith('Content-Type:'))).toBe(true);
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(raw.endsWith('--\r\n')).toBe(true);
  });

  it('encodes a display name and a subject beyond ASCII as RFC 2047 words that decode back', async () => {
    const skeleton = createMessageSkeleton({ from: 'Päperboy, the “digest” <digest@paperboy.test>' });
    const subject = `Vos articles — ${'ünïcödé ✓ '.repeat(12)}`.trim();
    const composed = skeleton.compose({ ...base, subject });
    const head = composed.raw.toString('latin1').split('\r\n\r\n')[0]!;
    expect(head).toMatch(/^[\x20-\x7e\r\n\t]*$/);
    expect(head).toContain('Subject: =?UTF-8?B?');
    const parsed = await simpleParser(composed.raw);
    expect(parsed.subject).toBe(subject);
    expect(parsed.from?.value).toEqual([{ name: 'Päperboy, the “digest”', address: 'digest@paperboy.test' }]);
  });

  it('quotes an ASCII display name with specials, so it stays one mailbox', async () => {
    const parsed = await simpleParser(createMessageSkeleton({ from: 'Paperboy, Inc. <digest@paperboy.test>' }).compose(base).raw);
    expect(parsed.from?.value).toEqual([{ name: 'Paperboy, Inc.', address: 'digest@paperboy.test' }]);
  });

  it('sends under the envelope sender it is given, and the From address otherwise', () => {
    const skeleton = createMessageSkeleton({ from: 'Paperboy <digest@paperboy.test>' });
    expect(skeleton.compose(base).envelope).toEqual({ from: 'digest@paperboy.test', to: ['ada@example.org'] });
    expect(skeleton.compose(base, { envelopeFrom: 'bounce+abc@paperboy.test' }).envelope.from).toBe('bounce+abc@paperboy.test');
  });

  it.each(['\r\nBcc: victim@evil.test', '\nBcc: victim@evil.test', '\rBcc: victim@evil.test'])('refuses %j in any filled value or fixed header', (injection) => {
    const skeleton = createMessageSkeleton({ from: 'Paperboy <digest@paperboy.test>' });
    const attempts = [
      () => skeleton.compose({ ...base, to: `ada@example.org${injection}` }),
      () => skeleton.compose({ ...base, subject: `Paper title${injection}` }),
      () => skeleton.compose({ ...base, messageId: `<id@x>${injection}` }),
      () => skeleton.compose({ ...base, listUnsubscribe: [`https://paperboy.test/u/x${injection}`] }),
      () => skeleton.compose(base, { envelopeFrom: `bounce@paperboy.test${injection}` }),
      () => createMessageSkeleton({ from: `Paperboy <digest@paperboy.test>${injection}` }),
      () => createMessageSkeleton({ from: 'Paperboy <digest@paperboy.test>', headers: { [`X-Keyword${injection}`]: 'x' } }),
      () => createMessageSkeleton({ from: 'Paperboy <digest@paperboy.test>', headers: { 'List-Id': `a${injection}` } }),
    ];
    for (const attempt of attempts) expect(attempt).toThrow(HeaderInjectionError);
  });

  it('refuses an address that is not one plain mailbox, and a List-Unsubscribe target with brackets', () => {
    const skeleton = createMessageSkeleton({ from: 'Paperboy <digest@paperboy.test>' });
    for (const to of ['ada@example.org, eve@evil.test', 'Ada <ada@example.org>', 'ada example@org', '']) {
      expect(() => skeleton.compose({ ...base, to })).toThrow(HeaderInjectionError);
    }
    expect(() => skeleton.compose({ ...base, listUnsubscribe: ['https://paperboy.test/u/x>, <https://evil.test'] })).toThrow(HeaderInjectionError);
    expect(() => skeleton.compose({ ...base, messageId: 'no-brackets@x' })).toThrow(HeaderInjectionError);
  });
});
