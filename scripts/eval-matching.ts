// `npm run eval:matching [-- --min-f1 0.85]`: seeds a scratch database (created beside the one in
// DATABASE_URL and dropped afterwards), matches the 45 sample papers and prints precision,
// recall and F1 per topic and overall against seeds/labels.json. Exits 1 below --min-f1.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '@paperboy/config';
import { repoPath } from '@paperboy/runtime';
import { createDatabase, describeConnectionError, runMigrations } from '@paperboy/db';
import { evaluateMatching, formatEvaluation, seedDatabase } from '@paperboy/domain';
import pg from 'pg';

const { values } = parseArgs({ options: { 'min-f1': { type: 'string' } } });
const minF1 = values['min-f1'] === undefined ? undefined : Number(values['min-f1']);
const config = loadConfigOrExit();

const scratchName = `paperboy_eval_${randomBytes(4).toString('hex')}`;
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

let failed = false;
try {
  await admin(`create database "${scratchName}"`);
  try {
    await runMigrations({ url: scratchUrl.toString() });
    const database = createDatabase({ url: scratchUrl.toString(), poolSize: 2 });
    try {
      await seedDatabase({ db: database.db });
      const labels = JSON.parse(readFileSync(repoPath('seeds', 'labels.json'), 'utf8')) as Record<string, string[]>;
      const evaluation = await evaluateMatching({ db: database.db, labels });
      process.stdout.write(`${formatEvaluation(evaluation)}\n`);
      if (minF1 !== undefined && evaluation.micro.f1 < minF1) {
        process.stderr.write(`micro-F1 ${evaluation.micro.f1.toFixed(3)} is below the floor ${minF1}\n`);
        failed = true;
      }
    } finally {
      await database.close();
    }
  } finally {
    await admin(`drop database if exists "${scratchName}" with (force)`);
  }
} catch (error) {
  process.stderr.write(`Evaluation failed: ${describeConnectionError(error) ?? (error as Error).message}\n`);
  failed = true;
}
process.exitCode = failed ? 1 : 0;
