// `npm start`: everything a newcomer needs in one process. Checks PostgreSQL and Redis,
// applies migrations, seeds an empty database, starts a dev inbox when no SMTP_URL is set,
// then runs the API and the worker side by side. In production run them as separate
// processes (services/api/src/server.ts, services/worker/src/main.ts) and scale the worker.
import { buildApp } from '@paperboy/api';
import { loadConfigOrExit, type TConfig } from '@paperboy/config';
import { handleShutdown } from '@paperboy/runtime';
import { createDatabase, describeConnectionError, ensureDatabaseExists, runMigrations } from '@paperboy/db';
import { isDatabaseEmpty, loadTopicModel, seedDatabase } from '@paperboy/domain';
import { createLogger } from '@paperboy/logger';
import { describeRedisError, pingRedis } from '@paperboy/queue';
import { createWorkerRuntime } from '@paperboy/worker';
import { MailDev } from 'maildev';

function fail(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

let config = loadConfigOrExit();
const logger = createLogger({ level: config.log.level, name: 'paperboy' });

try {
  if ((await ensureDatabaseExists({ url: config.database.url })) === 'created') {
    logger.info('created the database named in DATABASE_URL');
  }
} catch (error) {
  fail(describeConnectionError(error) ?? `PostgreSQL: ${(error as Error).message}`);
}
try {
  await pingRedis({ url: config.redis.url });
} catch (error) {
  fail(describeRedisError(error) ?? `Redis: ${(error as Error).message}`);
}

await runMigrations({ url: config.database.url });
if (config.worker.seedOnStart) {
  const database = createDatabase({ url: config.database.url, poolSize: 1 });
  try {
    if (await isDatabaseEmpty({ db: database.db })) {
      const seeded = await seedDatabase({ db: database.db, model: await loadTopicModel() });
      logger.info(seeded, 'seeded an empty database with the topic list and sample papers');
    }
  } finally {
    await database.close();
  }
}

let devInbox: MailDev | undefined;
let inboxUrl = 'your SMTP server (SMTP_URL)';
if (!config.mail.smtpUrl) {
  const { smtpPort, webPort } = config.mail.devInbox;
  devInbox = new MailDev({ smtp: smtpPort, web: webPort, ip: '127.0.0.1', webIp: '127.0.0.1', silent: true });
  await devInbox.start();
  config = { ...config, mail: { ...config.mail, smtpUrl: `smtp://127.0.0.1:${smtpPort}` } } satisfies TConfig;
  inboxUrl = `http://127.0.0.1:${webPort}`;
}

const worker = createWorkerRuntime({ config, logger: createLogger({ level: config.log.level, name: 'worker' }) });
const app = await buildApp({ config });
handleShutdown({
  logger,
  timeoutMs: config.server.shutdownTimeoutMs,
  close: async () => {
    await app.close();
    await worker.close();
    await devInbox?.stop();
  },
});
await worker.start();
await app.listen({ host: config.server.host, port: config.server.port });

const base = config.server.publicUrl;
process.stdout.write(
  [
    '',
    'Paperboy is running.',
    `  Signup page:  ${base}/`,
    `  Admin:        ${base}/admin`,
    `  API docs:     ${base}/docs`,
    `  Inbox:        ${inboxUrl}`,
    '',
  ].join('\n') + '\n',
);
