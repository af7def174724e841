import { readFile } from 'node:fs/promises';
import { repoPath } from '@paperboy/runtime';
import { compileDigestTemplate, createMailer, createMessageSkeleton, type TComposedMessage, type TDigestData } from '@paperboy/email';
import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import { createCpuMeter, perThousand } from './cpu.ts';
import { startSink } from './processes.ts';
import { sendPipelined } from './smtp-pipelined.ts';

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
      moreUrl: `https://paperboy.bench/feedback/more-${recipient}-${index}`,
      lessUrl: `https://paperboy.bench/feedback/less-${recipient}-${index}`,
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

const FROM = 'Paperboy <digest@paperboy.bench>';
const FIXED_HEADERS = { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'List-Id': 'Paperboy weekly digest <weekly.digest.paperboy.bench>', Precedence: 'bulk' };
// Pre-built messages are reused round-robin (each under its own envelope): a distinct message
// per recipient would hold gigabytes at the default size.
const PREBUILT = 500;

export type TTransportResult = {
  messagesPerSecond: number;
  accepted: number;
  /** CPU seconds per 1,000 messages: the sending process and the sink. */
  cpuPerThousand: Record<string, number>;
};

type TTransportSettings = { count: number; connections: number; concurrency: number };

function digestValues(recipient: number, rendered: { html: string; text: string }) {
  const listUnsubscribe = [`https://paperboy.bench/unsubscribe/token-${recipient}`];
  return { to: `reader${recipient}@bench.test`, subject: 'Your weekly Paperboy: 10 new papers for you', ...rendered, messageId: `<bench-${recipient}@paperboy.bench>`, listUnsubscribe };
}

/** Runs `send` against a fresh sink and measures rate, acceptance and CPU of this process and the sink. */
async function measureTransport(count: number, send: (sinkPort: number, sinkUrl: string) => Promise<void>): Promise<TTransportResult> {
  const sink = await startSink();
  const cpu = createCpuMeter({ sender: () => [process.pid], sink: () => [sink.pid] });
  try {
    await cpu.start();
    const started = performance.now();
    await send(sink.port, sink.url);
    const seconds = (performance.now() - started) / 1000;
    const used = await cpu.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { messagesPerSecond: count / seconds, accepted: sink.accepted(), cpuPerThousand: perThousand(used, count) };
  } finally {
    await sink.stop();
  }
}

/** Sends `count` messages through the production mailer from `concurrency` senders at once. */
async function sendThroughMailer(sinkUrl: string, { count, connections, concurrency }: TTransportSettings, message: (recipient: number) => TComposedMessage) {
  const mailer = createMailer({ smtpUrl: sinkUrl, maxConnections: connections });
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) await mailer.send(message(next++));
      }),
    );
  } finally {
    mailer.close();
  }
}

/**
 * The three transport rows, each pushing digests rendered once (no DB, no queue, no Handlebars)
 * into its own sink with the pipeline's connections:
 * - composed: the production path, a skeleton filled per message, then nodemailer's pool;
 * - raw: messages built beforehand, the same pool (the ceiling for what the worker sends);
 * - pipelined: the same pre-built bytes through a bare RFC 2920 writer (what the wire allows).
 */
export async function benchTransports(settings: TTransportSettings) {
  const template = await compileDigestTemplate();
  const rendered = template(sampleDigest(0));
  const skeleton = createMessageSkeleton({ from: FROM, headers: FIXED_HEADERS });
  const prebuilt = Array.from({ length: PREBUILT }, (_, recipient) => skeleton.compose(digestValues(recipient, rendered)));
  const envelopeFor = (recipient: number) => ({ from: 'digest@paperboy.bench', to: [`reader${recipient}@bench.test`] });

  // The first row through the pool would also pay for compiling nodemailer's send path, which
  // the later rows find ready: an untimed pass first, so the rows differ only in what they do.
  const warmUp = { ...settings, count: Math.min(settings.count, 2_000) };
  await measureTransport(warmUp.count, (_port, url) => sendThroughMailer(url, warmUp, (recipient) => skeleton.compose(digestValues(recipient, rendered))));
  const composed = await measureTransport(settings.count, (_port, url) =>
    sendThroughMailer(url, settings, (recipient) => skeleton.compose(digestValues(recipient, rendered))),
  );
  const raw = await measureTransport(settings.count, (_port, url) =>
    sendThroughMailer(url, settings, (recipient) => ({ ...prebuilt[recipient % PREBUILT]!, envelope: envelopeFor(recipient) })),
  );
  // Base64 lines never start with a dot, but the writer stuffs them as SMTP requires anyway.
  const stuffed = prebuilt.map((message) => Buffer.from(message.raw.toString('latin1').replace(/\r\n\./g, '\r\n..'), 'latin1'));
  const pipelined = await measureTransport(settings.count, (port) =>
    sendPipelined({
      port,
      connections: settings.connections,
      messages: Array.from({ length: settings.count }, (_, recipient) => ({ from: 'digest@paperboy.bench', to: `reader${recipient}@bench.test`, data: stuffed[recipient % PREBUILT]! })),
    }),
  );
  return { composed, raw, pipelined, messageBytes: prebuilt[0]!.raw.length };
}
