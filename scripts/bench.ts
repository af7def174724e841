// `npm run bench`: the whole pipeline against its ceilings, on this machine, against real
// PostgreSQL, Redis and postfix's smtp-sink. `--quick` runs tiny sizes and checks only that
// every planned delivery reached the sink once (CI runs it). Figures: README, "Benchmarks".
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '@paperboy/config';
import { repoPath } from '@paperboy/runtime';
import { z } from 'zod';
import { benchCompiledRender, benchNaiveRender, benchTransports } from './bench/ceilings.ts';
import { benchIngest } from './bench/ingest.ts';
import { benchPipeline, type TPipelineResult } from './bench/pipeline.ts';
import { benchPlanning } from './bench/planning.ts';
import { benchPredict } from './bench/predict.ts';
import { isEveryTransportExact, sendingTable } from './bench/report.ts';
import { benchSignup } from './bench/signup.ts';

const sizes = z.string().transform((value, ctx) => {
  const list = value.split(',').map(Number);
  if (list.some((n) => !Number.isInteger(n) || n <= 0)) ctx.addIssue({ code: 'custom', message: 'must be positive whole numbers, comma-separated' });
  return list;
});
const count = z.coerce.number({ error: 'must be a number' }).int().positive();

const ZOptions = z.object({
  quick: z.boolean(),
  subscribers: count,
  papers: count,
  ingestPapers: count,
  signupSeconds: count,
  workers: sizes,
  planning: sizes,
  sendConcurrency: count,
  sendBatch: count,
  smtpConnections: count,
  profile: z.boolean(),
  ratedShare: z.coerce.number({ error: 'must be a number' }).min(0).max(1),
  only: z.enum(['all', 'pipeline', 'ingest', 'predict', 'signup', 'planning']),
});

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      subscribers: { type: 'string' },
      papers: { type: 'string' },
      'ingest-papers': { type: 'string' },
      'signup-seconds': { type: 'string' },
      workers: { type: 'string' },
      planning: { type: 'string' },
      'send-concurrency': { type: 'string' },
      'send-batch': { type: 'string' },
      'smtp-connections': { type: 'string' },
      profile: { type: 'boolean', default: false },
      'rated-share': { type: 'string', default: '0' },
      only: { type: 'string', default: 'all' },
    },
  });
  const quick = values.quick;
  const result = ZOptions.safeParse({
    quick,
    // The issue's sizes; they finish in under 10 minutes on the 2-core machine. Planning at 1M
    // (--planning 10000,100000,1000000) adds about 4 minutes, most of it building the audience.
    subscribers: values.subscribers ?? (quick ? '300' : '100000'),
    papers: values.papers ?? (quick ? '60' : '2000'),
    ingestPapers: values['ingest-papers'] ?? (quick ? '100' : '10000'),
    signupSeconds: values['signup-seconds'] ?? (quick ? '2' : '20'),
    workers: values.workers ?? (quick ? '1' : '1,2'),
    planning: values.planning ?? (quick ? '500' : '10000,100000'),
    // The worker's own defaults (DIGEST_SEND_CONCURRENCY, DIGEST_SEND_BATCH_SIZE).
    sendConcurrency: values['send-concurrency'] ?? '4',
    sendBatch: values['send-batch'] ?? '50',
    smtpConnections: values['smtp-connections'] ?? '8',
    profile: values.profile,
    // The share of planning's subscribers who rated 10 to 50 papers (ranked by their ratings).
    ratedShare: values['rated-share'],
    only: values.only,
  });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    process.stderr.write(`bench: --${issue.path.join('.')}: ${issue.message}\n`);
    process.exit(2);
  }
  return result.data;
}

const settings = options();
const config = loadConfigOrExit();
const adminUrl = config.database.url;
const redisUrl = config.redis.url;
const log = (line: string) => process.stdout.write(`${line}\n`);
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

log('Building the services (the benchmark runs the production bundle)...');
execFileSync(process.execPath, ['--import', 'tsx', repoPath('scripts', 'build.ts'), '--skip-typecheck'], { stdio: 'ignore' });

const profileDir = settings.profile ? repoPath('bench-results', 'profiles') : undefined;
// One part alone, its figures as JSON: for profiling and for trying a change.
const parts = {
  ingest: () => benchIngest({ adminUrl, redisUrl, count: settings.ingestPapers, profileDir }),
  predict: () => benchPredict({ adminUrl, rounds: settings.quick ? 2 : 20 }),
  signup: () => benchSignup({ adminUrl, redisUrl, seconds: settings.signupSeconds, connections: 32, profileDir }),
  planning: () => benchPlanning({ adminUrl, sizes: settings.planning, papers: settings.papers, ratedShare: settings.ratedShare }),
};
if (settings.only !== 'all' && settings.only !== 'pipeline') {
  log(JSON.stringify(await parts[settings.only]()));
  process.exit(0);
}

const pipelines: TPipelineResult[] = [];
for (const workers of settings.workers) {
  log(`Pipeline: ${settings.subscribers} subscribers, ${settings.papers} papers, ${workers} worker process(es)...`);
  pipelines.push(await benchPipeline({ adminUrl, redisUrl, ...settings, workers, profileDir }));
}
const best = pipelines.reduce((a, b) => (b.digestsPerSecond > a.digestsPerSecond ? b : a));
const transportSettings = {
  count: Math.min(settings.subscribers, settings.quick ? 300 : 30_000),
  connections: settings.smtpConnections * best.workers,
  concurrency: settings.sendConcurrency * settings.sendBatch * best.workers,
};
log('Transports: composed, raw and bare pipelined SMTP...');
const transports = await benchTransports(transportSettings);
const sending = sendingTable({ pipelines, transports, connections: transportSettings.connections });
const isSendingCorrect = pipelines.every((run) => run.isExactlyOnce) && isEveryTransportExact(transports, transportSettings.count);
if (settings.only === 'pipeline') {
  log(['', ...sending, ''].join('\n'));
  log(JSON.stringify({ pipelines, transports }));
  process.exit(isSendingCorrect ? 0 : 1);
}
log('Ceilings: rendering...');
const compiled = await benchCompiledRender({ count: settings.quick ? 500 : 20_000 });
const naive = await benchNaiveRender({ count: settings.quick ? 10 : 100 });
log(`Ingestion and matching: ${settings.ingestPapers} papers...`);
const ingest = await parts.ingest();
log(`Signups for ${settings.signupSeconds} s...`);
const signup = await parts.signup();
log(`Planning at ${settings.planning.join(', ')} subscribers...`);
const planning = await parts.planning();

const results = {
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: round(totalmem() / 1024 ** 3), node: process.version, date: new Date().toISOString() },
  settings,
  pipelines,
  render: { compiledPerSecond: round(compiled.rendersPerSecond), naivePerSecond: round(naive.rendersPerSecond), speedup: round(compiled.rendersPerSecond / naive.rendersPerSecond) },
  transports: { ...transports, pipelineShare: round(best.digestsPerSecond / transports.raw.messagesPerSecond, 2) },
  ingest,
  signup,
  planning,
};

log('');
log('| measure | value |');
log('| --- | --- |');
for (const run of pipelines) {
  const label = `${run.workers} worker${run.workers > 1 ? 's' : ''}`;
  log(`| pipeline, ${label}: planned deliveries | ${run.planned} of ${run.subscribers} subscribers |`);
  log(`| pipeline, ${label}: planning | ${round(run.planningSeconds, 2)} s |`);
  log(`| pipeline, ${label}: end to end (planning + sending) | ${round(run.endToEndSeconds)} s = ${round(run.digestsPerSecond)} digests/s |`);
  log(`| pipeline, ${label}: sending alone | ${round(run.planned / run.sendingSeconds)} messages/s accepted by the sink |`);
  log(`| pipeline, ${label}: start to accepted, p50 / p99 | ${round(run.latencyP50Seconds)} s / ${round(run.latencyP99Seconds)} s |`);
  log(`| pipeline, ${label}: worker peak RSS | ${run.workerPeakRssMb.join(' + ')} MB |`);
  log(`| pipeline, ${label}: Redis memory added at peak | ${run.redisPeakMb} MB |`);
  log(`| pipeline, ${label}: one message per delivery | ${run.isExactlyOnce ? 'yes' : 'NO'} (sink accepted ${run.sinkAccepted}) |`);
}
log(`| render, compiled once + Handlebars | ${results.render.compiledPerSecond} digests/s |`);
log(`| render, MJML per recipient (naive) | ${results.render.naivePerSecond} digests/s (ours is ${results.render.speedup}x) |`);
log(`| ingest + match, ${ingest.papers} HF papers | ${round(ingest.papersPerSecond)} papers/s (${round(ingest.totalSeconds)} s; stored in ${round(ingest.ingestSeconds)} s) |`);
log(`| signups | ${round(signup.signupsPerSecond)}/s, p50 ${signup.latencyP50Ms} ms, p99 ${signup.latencyP99Ms} ms; ${signup.refused} refused, nothing lost: ${signup.isNothingLost ? 'yes' : 'NO'} |`);
for (const point of planning) log(`| planning, ${point.subscribers} subscribers | ${round(point.planningSeconds, 2)} s (${point.planned} deliveries) |`);
log(['', ...sending].join('\n'));

await mkdir(repoPath('bench-results'), { recursive: true });
const file = repoPath('bench-results', settings.quick ? 'quick.json' : 'results.json');
await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
log(`\nWrote ${file}`);

const isCorrect = isSendingCorrect && signup.isNothingLost;
if (!isCorrect) {
  process.stderr.write('bench: a correctness check failed (see the table above)\n');
  process.exitCode = 1;
}
