import { readFile } from 'node:fs/promises';
import { repoPath } from '@paperboy/runtime';
import { compileDigestTemplate, createMailer, type TDigestData } from '@paperboy/email';
import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import { startSink } from './processes.ts';

function sampleDigest(recipient: number): TDigestData {
  return {
    subject: 'Your weekly Paperboy: 10 new papers for you',
    preview: 'A paper and more',
    heading: 'Your weekly papers',
    intro: '10 trending papers that match your topics and keywords, best first.',
    papers: Array.from({ length: 10 }, (_, index) => ({
      position: index + 1,
      title: `Synthetic paper ${index} for reader ${recipient} on efficient inference and quantization`,
      url: `https://arxiv.org/abs/2611.${String(index).padStart(5, '0')}`,
      authors: 'Ada Lovelace, Alan Turing, Grace Hopper et al.',
      abstract: 'An abstract sentence about models, data and results. '.repeat(7),
      why: 'Model compression and quantization (quantization, GPTQ); “kv cache” · 142 upvotes',
      upvotes: 142,
      codeUrl: index % 2 ? 'https://github.com/example/repo' : null,
      projectUrl: null,
    })),
    footerNote: 'You get this weekly digest because you subscribed to Paperboy and confirmed your address.',
    preferencesUrl: `https://paperboy.bench/preferences/token-${recipient}`,
    unsubscribeUrl: `https://paperboy.bench/unsubscribe/token-${recipient}`,
    postalAddress: 'Paperboy, 1 Example Street, Springfield',
  };
}

/** Ours: MJML compiled once, one Handlebars fill per recipient. */
export async function benchCompiledRender({ count }: { count: number }) {
  const template = await compileDigestTemplate();
  const started = performance.now();
  for (let recipient = 0; recipient < count; recipient += 1) template(sampleDigest(recipient));
  return { rendersPerSecond: count / ((performance.now() - started) / 1000) };
}

/** The naive way: MJML runs for every recipient (then their values are filled in). */
export async function benchNaiveRender({ count }: { count: number }) {
  const filePath = repoPath('templates', 'digest.mjml');
  const source = await readFile(filePath, 'utf8');
  const handlebars = Handlebars.create();
  handlebars.registerHelper('plural', (n: number, one: string, many: string) => (n === 1 ? one : many));
  const started = performance.now();
  for (let recipient = 0; recipient < count; recipient += 1) {
    const { html } = await mjml2html(source, { validationLevel: 'skip', filePath, ignoreIncludes: false, includePath: repoPath('templates'), fonts: {} });
    handlebars.compile(html)(sampleDigest(recipient));
  }
  return { rendersPerSecond: count / ((performance.now() - started) / 1000) };
}

/**
 * The raw ceiling: pre-built digests pushed to the same sink with the same transport settings
 * (pooled connections per process x processes), with no database and no queue.
 */
export async function benchRawSmtp({ count, connections, concurrency }: { count: number; connections: number; concurrency: number }) {
  const template = await compileDigestTemplate();
  const { html, text } = template(sampleDigest(0));
  const sink = await startSink();
  const mailer = createMailer({ smtpUrl: sink.url, from: 'Paperboy <digest@paperboy.bench>', maxConnections: connections });
  try {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const recipient = next++;
          await mailer.send({ to: `reader${recipient}@bench.test`, subject: 'Your weekly Paperboy', html, text, messageId: `<raw-${recipient}@paperboy.bench>` });
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { messagesPerSecond: count / seconds, accepted: sink.accepted() };
  } finally {
    mailer.close();
    await sink.stop();
  }
}
