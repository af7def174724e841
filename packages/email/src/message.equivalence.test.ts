import { simpleParser, type ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { describe, expect, it } from 'vitest';
import { compileDigestTemplate } from './catalog.ts';
import { createMessageSkeleton } from './message.skeleton.ts';

// The values below build both the composed message and the MailComposer reference it must match.
const FROM = 'Paperboy Digest <digest@paperboy.test>';
const FIXED = {
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  'List-Id': 'Paperboy weekly digest <weekly.digest.paperboy.test>',
  Precedence: 'bulk',
  'Auto-Submitted': 'auto-generated',
};

async function digestValues(subject: string) {
  const template = await compileDigestTemplate();
  const { html, text } = template({
    subject,
    preview: 'Ünïcödé title and more',
    heading: 'Your weekly papers',
    intro: '2 trending papers that match your topics and keywords, best first.',
    papers: [1, 2].map((position) => ({
      position,
      title: `Paper ${position}: “quoted” — naïve <b>markup</b> & co`,
      url: `https://arxiv.org/abs/2611.0000${position}`,
      authors: 'Zoë Ångström, Jürgen Šimek',
      abstract: 'Line one.\n.starts with a dot\nSpaces at the end   \n'.repeat(40),
      why: 'Topic llms (llms) · 40 upvotes',
      upvotes: 40,
      codeUrl: null,
      projectUrl: null,
      moreUrl: `http://localhost/feedback/more-${position}`,
      lessUrl: `http://localhost/feedback/less-${position}`,
    })),
    footerNote: 'You get this weekly digest because you subscribed.',
    preferencesUrl: 'https://paperboy.test/preferences/tok-p',
    unsubscribeUrl: 'https://paperboy.test/unsubscribe/tok-u',
    postalAddress: '1 Example Street',
  });
  const listUnsubscribe = ['https://paperboy.test/unsubscribe/tok-u', 'mailto:unsubscribe@paperboy.test?subject=unsubscribe'];
  return { to: 'ada@example.org', subject, html, text, messageId: '<digest-1@paperboy.test>', listUnsubscribe };
}

function comparable(mail: ParsedMail) {
  // mailparser gathers the List-* headers under "list".
  const headers = Object.fromEntries(['list', 'precedence', 'auto-submitted', 'mime-version'].map((name) => [name, mail.headers.get(name)]));
  return {
    from: mail.from?.value,
    to: Array.isArray(mail.to) ? mail.to.map((to) => to.value) : mail.to?.value,
    subject: mail.subject,
    messageId: mail.messageId,
    date: mail.date?.toISOString(),
    headers,
    contentType: (mail.headers.get('content-type') as { value: string }).value,
    text: mail.text,
    html: mail.html,
    attachments: mail.attachments.length,
  };
}

describe('a composed message and the MailComposer reference', () => {
  it.each([
    ['an ASCII subject', 'Your weekly Paperboy: 2 new papers for you'],
    ['a subject beyond ASCII', 'Vos articles de la semaine — “Ünïcödé” ✓ '.repeat(4).trim()],
  ])('parse to the same headers, parts and decoded bodies, with %s', async (_label, subject) => {
    const values = await digestValues(subject);
    const date = new Date('2026-12-01T08:00:00Z');
    const reference = await new MailComposer({
      from: FROM,
      to: values.to,
      subject: values.subject,
      html: values.html,
      text: values.text,
      messageId: values.messageId,
      date,
      headers: { 'List-Unsubscribe': values.listUnsubscribe.map((target) => `<${target}>`).join(', '), ...FIXED },
      textEncoding: 'base64',
    })
      .compile()
      .build();
    const composed = createMessageSkeleton({ from: FROM, headers: FIXED }).compose(values, { date });

    const [expected, actual] = await Promise.all([simpleParser(reference), simpleParser(composed.raw)]);
    expect(comparable(actual)).toEqual(comparable(expected));
    expect(comparable(actual).headers.list).toEqual({
      unsubscribe: { url: 'https://paperboy.test/unsubscribe/tok-u', mail: 'unsubscribe@paperboy.test?subject=unsubscribe' },
      'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' },
      id: { name: 'Paperboy weekly digest', id: 'weekly.digest.paperboy.test' },
    });
    expect(actual.text).toContain('.starts with a dot');
    expect(actual.html).toContain('naïve &lt;b&gt;markup&lt;/b&gt;');
  });
});
