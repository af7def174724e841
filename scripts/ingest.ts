// `npm run ingest -- <file-or-url>`: ingests a Hugging Face daily papers JSON, an arXiv Atom feed
// or Paperboy JSON / JSON Lines through the same use case as the admin API, with a progress bar,
// and queues a match job per new or changed paper for the worker. Exits 1 on any failure.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { loadConfigOrExit } from '@paperboy/config';
import { createDatabase, describeConnectionError } from '@paperboy/db';
import { fetchSource, ingestPapers } from '@paperboy/domain';
import { createEnqueueMatches, createQueues, createRedis, describeRedisError, type TQueues } from '@paperboy/queue';
import { SingleBar, Presets } from 'cli-progress';

const target = process.argv.slice(2).find((argument) => argument !== '--');
if (!target) {
  process.stderr.write('Usage: npm run ingest -- <file-or-url>\n');
  process.exit(2);
}

const TYPE_OF_EXTENSION: Record<string, string> = {
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.ndjson': 'application/x-ndjson',
  '.xml': 'application/atom+xml',
  '.atom': 'application/atom+xml',
};

const config = loadConfigOrExit();
const database = createDatabase({ url: config.database.url, poolSize: 2 });
const redis = createRedis({ url: config.redis.url, role: 'producer' });
const bar = new SingleBar({ format: 'Storing papers [{bar}] {value}/{total}', hideCursor: true }, Presets.shades_classic);

let queues: TQueues | undefined;
try {
  await redis.connect();
  queues = createQueues({ connection: redis, prefix: config.redis.queuePrefix });
  const producer = queues;
  const isUrl = /^https?:\/\//i.test(target);
  const { body, contentType } = isUrl
    ? await fetchSource({ url: target })
    : { body: await readFile(target, 'utf8'), contentType: TYPE_OF_EXTENSION[extname(target).toLowerCase()] ?? '' };
  let started = false;
  const result = await ingestPapers({
    db: database.db,
    body,
    contentType,
    onProgress: (done, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    enqueueMatches: createEnqueueMatches(producer),
  });
  bar.stop();
  process.stdout.write(
    `${result.format}: ${result.received} items, ${result.stored} stored (${result.created} new, ${result.updated} updated, ` +
      `${result.unchanged} unchanged), ${result.matchJobs} queued for matching, ${result.rejected.length} rejected.\n`,
  );
  for (const rejected of result.rejected) process.stdout.write(`  item ${rejected.index}: ${rejected.reason}\n`);
} catch (error) {
  bar.stop();
  process.stderr.write(`Ingest failed: ${describeConnectionError(error) ?? describeRedisError(error) ?? (error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await queues?.close();
  redis.disconnect();
  await database.close();
}
