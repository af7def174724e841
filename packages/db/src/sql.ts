import { sql, type SQL } from 'drizzle-orm';

/**
 * A JavaScript array as one PostgreSQL array parameter, cast to `type[]`. drizzle's `sql`
 * template spreads an array into a list of parameters; one array parameter keeps the statement
 * text the same whatever the length, for `= any(...)` and `unnest(...)`.
 */
export function sqlArray(values: readonly (string | number)[], type: 'uuid' | 'text' | 'integer' | 'bigint'): SQL {
  return sql`${sql.param(values)}::${sql.raw(type)}[]`;
}
