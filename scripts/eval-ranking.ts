// `npm run eval:ranking [-- --quick] [-- --readers 200 --weeks 4 --noise 0.1]`: simulated readers
// with hidden interests receive a digest a week, planned by the real planner on a scratch
// database (created beside the one in DATABASE_URL and dropped afterwards), and the learned arm
// rates what it gets. Prints precision@10 per week for topic-only and learned ranking. A full run
// exits 1 when the learned ranking is not --min-gain points above topic-only in the last week, or
// some reader is more than --max-loss points worse off; --quick checks only that it runs.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '@paperboy/config';
import { createDatabase, describeConnectionError, runMigrations } from '@paperboy/db';
import { createRandom, createReaders, formatSummary, interestsOf, loadTopicModel, readRankingEvalPapers, seedDatabase, simulateWeeks, summarise } from '@paperboy/domain';
import pg from 'pg';
import { z } from 'zod';

const ZOptions = z.object({
  quick: z.boolean(),
  readers: z.coerce.number().int().min(1).max(5_000),
  weeks: z.coerce.number().int().min(2).max(12),
  noise: z.coerce.number().min(0).max(0.5),
  seed: z.coerce.number().int(),
  'min-gain': z.coerce.number().optional(),
  'max-loss': z.coerce.number().optional(),
});
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    readers: { type: 'string' },
    weeks: { type: 'string' },
    noise: { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '20261201' },
    'min-gain': { type: 'string' },
    'max-loss': { type: 'string' },
  },
});
const parsed = ZOptions.safeParse({ ...values, readers: values.readers ?? (values.quick ? '24' : '200'), weeks: values.weeks ?? (values.quick ? '3' : '4') });
if (!parsed.success) {
  const issue = parsed.error.issues[0]!;
  process.stderr.write(`--${issue.path.join('.')}: ${issue.message}\n`);
  process.exit(2);
}
const options = parsed.data;
const minGain = options['min-gain'] ?? (options.quick ? undefined : 15);
const maxLoss = options['max-loss'] ?? (options.quick ? undefined : 10);
const config = loadConfigOrExit();

const scratchName = `paperboy_eval_ranking_${randomBytes(4).toString('hex')}`;
const maintenanceUrl = new URL(config.database.url);
maintenanceUrl.pathname = '/postgres';
const scratchUrl = new URL(config.database.url);
scratchUrl.pathname = `/${scratchName}`;

async function admin(statement: string) {
  const client = new pg.Client({ connectionString: maintenanceUrl.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function evaluate(): Promise<boolean> {
  const random = createRandom(options.seed);
  const labelledPapers = readRankingEvalPapers({ random });
  const labels = new Map(labelledPapers.map((paper) => [paper.arxivId, paper.labels]));
  const interests = interestsOf({ labels, minPapers: 4 * options.weeks });
  const topics = [...new Set(labelledPapers.flatMap((paper) => paper.labels))].sort();
  const readers = createReaders({ interests, topics, count: options.readers, random });
  const database = createDatabase({ url: scratchUrl.toString(), poolSize: 2 });
  try {
    const model = await loadTopicModel();
    await seedDatabase({ db: database.db, model });
    const started = performance.now();
    const scores = await simulateWeeks({ db: database.db, model, labelledPapers, readers, weeks: options.weeks, noise: options.noise, random, start: new Date('2026-01-05T00:00:00Z') });
    const summary = summarise(scores);
    process.stdout.write(
      `${labelledPapers.length} labelled papers over ${options.weeks} weeks, ${readers.length} readers (${interests.length} interests), ` +
        `rating noise ${options.noise}, ${((performance.now() - started) / 1000).toFixed(1)} s\n\n${formatSummary(summary)}\n`,
    );
    const last = summary.table.at(-1)!;
    const gain = (last.learned - last.topics) * 100;
    const isGainMet = minGain === undefined || gain >= minGain;
    const isLossMet = maxLoss === undefined || -summary.worst.difference * 100 <= maxLoss + 1e-9;
    if (!isGainMet) process.stderr.write(`Learned ranking is ${gain.toFixed(1)} points above topic-only in week ${last.week}, below the goal of ${minGain}\n`);
    if (!isLossMet) process.stderr.write(`A reader is ${(-summary.worst.difference * 100).toFixed(1)} points worse off than with topic-only, above the limit of ${maxLoss}\n`);
    return isGainMet && isLossMet;
  } finally {
    await database.close();
  }
}

let isPassed = false;
try {
  await admin(`create database "${scratchName}"`);
  try {
    await runMigrations({ url: scratchUrl.toString() });
    isPassed = await evaluate();
  } finally {
    await admin(`drop database if exists "${scratchName}" with (force)`);
  }
} catch (error) {
  process.stderr.write(`Evaluation failed: ${describeConnectionError(error) ?? (error as Error).message}\n`);
}
process.exitCode = isPassed ? 0 : 1;
