// `npm run db:seed`: loads the topic list and the sample papers. Safe to run again.
import { loadConfigOrExit } from '@paperboy/config';
import { createDatabase, describeConnectionError } from '@paperboy/db';
import { loadTopicModel, seedDatabase } from '@paperboy/domain';

const config = loadConfigOrExit();
const database = createDatabase({ url: config.database.url, poolSize: 1 });
try {
  const seeded = await seedDatabase({ db: database.db, model: await loadTopicModel() });
  process.stdout.write(`Seeded ${seeded.topics} new topics and ${seeded.papers} new papers.\n`);
} catch (error) {
  process.stderr.write(`Seeding failed: ${describeConnectionError(error) ?? (error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
