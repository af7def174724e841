import { loadConfigOrExit } from '@paperboy/config';
import { describeConnectionError } from './connectivity.ts';
import { runMigrations } from './migrate.ts';

const config = loadConfigOrExit();
try {
  await runMigrations({ url: config.database.url });
  process.stdout.write('Migrations applied.\n');
} catch (error) {
  process.stderr.write(`Migration failed: ${describeConnectionError(error) ?? (error as Error).message}\n`);
  process.exitCode = 1;
}
