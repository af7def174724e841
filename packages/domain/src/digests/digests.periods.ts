export type TFrequency = 'daily' | 'weekly';

/**
 * `start`/`end` bound the papers a run considers; `calendarStart` is where the calendar period
 * named by `key` began (Monday 00:00 UTC, or midnight UTC), the line for "already mailed this period".
 */
export type TPeriod = { key: string; start: Date; end: Date; calendarStart: Date };

const DAY_MS = 24 * 3_600_000;

/** Monday 00:00 UTC of the ISO week `date` falls in. */
export function isoWeekStart(date: Date): Date {
  const daysSinceMonday = (date.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - daysSinceMonday));
}

/** ISO 8601 week label of a date, e.g. "2026-W48": the week belongs to the year its Thursday is in. */
export function isoWeekKey(date: Date): string {
  const thursday = new Date(isoWeekStart(date).getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

function utcMidnight(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/**
 * The period a run at `now` covers: papers ingested in the last `lookbackDays` (7 for weekly,
 * 1 for daily by default). The key names the calendar period, so two scheduler firings in
 * the same week (or day) share one key and create one run.
 */
export function periodFor({ frequency, now, lookbackDays }: { frequency: TFrequency; now: Date; lookbackDays: number }): TPeriod {
  const key = frequency === 'weekly' ? isoWeekKey(now) : now.toISOString().slice(0, 10);
  const calendarStart = frequency === 'weekly' ? isoWeekStart(now) : utcMidnight(now);
  return { key, start: new Date(now.getTime() - lookbackDays * DAY_MS), end: now, calendarStart };
}
