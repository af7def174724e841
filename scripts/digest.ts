// `npm run digest -- send --frequency weekly [--dry-run]` creates a run (and starts it unless
// dry-run) and shows a progress bar while the worker sends; `npm run digest -- status <id>`
// prints a run's state and counts. The worker (npm start) does the sending.
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '@paperboy/config';
import { createDatabase, describeConnectionError, rootCause } from '@paperboy/db';
import { createRun, getRunProgress, runSettingsFromConfig } from '@paperboy/domain';
import { createQueues, createRedis } from '@paperboy/queue';
import cliProgress from 'cli-progress';
import { z } from 'zod';

const ZCommand = z.discriminatedUnion('command', [
  z.object({ command: z.literal('send'), frequency: z.enum(['daily', 'weekly']), dryRun: z.boolean(), force: z.boolean(), watch: z.boolean() }),
  z.object({ command: z.literal('status'), runId: z.uuid('must be a run id (a UUID)') }),
]);

function parseCommand(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      frequency: { type: 'string', default: 'weekly' },
      'dry-run': { type: 'boolean', default: false },
      // Mail again readers already sent a digest this period (one per period otherwise).
      force: { type: 'boolean', default: false },
      'no-watch': { type: 'boolean', default: false },
    },
  });
  const [command, runId] = positionals;
  const result = ZCommand.safeParse({ command, frequency: values.frequency, dryRun: values['dry-run'], force: values.force, watch: !values['no-watch'], runId });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    process.stderr.write(
      `digest: ${issue.path.join('.') || 'command'}: ${issue.message}\n` +
        'usage: npm run digest -- send [--frequency weekly|daily] [--dry-run] [--force] [--no-watch]\n' +
        '       npm run digest -- status <run-id>\n',
    );
    process.exit(2);
  }
  return result.data;
}

const command = parseCommand(process.argv.slice(2));
const config = loadConfigOrExit();
const database = createDatabase({ url: config.database.url, poolSize: 2 });

async function watch(runId: string) {
  const bar = new cliProgress.SingleBar(
    { format: 'sending |{bar}| {value}/{total} sent · {failed} failed · {state}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let progress = await getRunProgress({ db: database.db, runId });
  bar.start(progress.run.plannedCount, 0, { failed: 0, state: progress.run.state });
  while (['planned', 'sending'].includes(progress.run.state)) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    progress = await getRunProgress({ db: database.db, runId });
    bar.update(progress.counts.sent, { failed: progress.counts.failed, state: progress.run.state });
  }
  bar.stop();
  return progress;
}

function describe(progress: Awaited<ReturnType<typeof getRunProgress>>) {
  const { run, counts } = progress;
  return [
    `run ${run.id} (${run.frequency}${run.isDryRun ? ', dry run' : ''}, period ${run.periodKey}): ${run.state}`,
    `  planned ${run.plannedCount}, skipped ${run.skippedCount} (nothing new)${run.isForced ? ', forced: readers already mailed this period included' : `, ${run.alreadyMailedCount} (already mailed this period)`}`,
    `  sent ${counts.sent}, failed ${counts.failed}, pending ${counts.pending}, sending ${counts.sending}, cancelled ${counts.cancelled}`,
    ...(run.pauseReason ? [`  paused: ${run.pauseReason}`] : []),
  ].join('\n');
}

try {
  if (command.command === 'status') {
    process.stdout.write(`${describe(await getRunProgress({ db: database.db, runId: command.runId }))}\n`);
  } else {
    const { run } = await createRun({
      db: database.db,
      frequency: command.frequency,
      trigger: 'admin',
      isDryRun: command.dryRun,
      force: command.force,
      now: new Date(),
      settings: runSettingsFromConfig(config),
    });
    if (!command.dryRun) {
      const redis = createRedis({ url: config.redis.url, role: 'producer' });
      const queues = createQueues({ connection: redis, prefix: config.redis.queuePrefix });
      await queues.enqueue({ queue: 'digest-runs', job: 'start', payload: { runId: run.id }, jobId: `start-${run.id}` });
      await queues.close();
      redis.disconnect();
    }
    const progress = !command.dryRun && command.watch ? await watch(run.id) : await getRunProgress({ db: database.db, runId: run.id });
    process.stdout.write(`${describe(progress)}\n`);
  }
} catch (error) {
  process.stderr.write(`digest: ${describeConnectionError(error) ?? (rootCause(error) as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
