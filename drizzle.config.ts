import { defineConfig } from 'drizzle-kit';

// drizzle-kit only generates SQL from the schema; `npm run db:migrate` applies it.
export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/db/src/schema/index.ts',
  out: './migrations',
  casing: 'snake_case',
});
