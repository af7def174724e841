import { createDatabase, type TDatabase } from '@paperboy/db';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';

declare module 'fastify' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface FastifyInstance {
    db: TDatabase;
    pgPool: pg.Pool;
  }
}

export const databasePlugin = fp(
  (app: FastifyInstance, options: { url: string; poolSize: number; statementTimeoutMs?: number }) => {
    const handle = createDatabase(options);
    app.decorate('db', handle.db);
    app.decorate('pgPool', handle.pool);
    // Registered first, closed last: onClose hooks run in reverse order of registration.
    app.addHook('onClose', async () => {
      await handle.close();
    });
  },
  { name: 'database' },
);
