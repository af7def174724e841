export type TFrequency = 'daily' | 'weekly';

export type TPeriod = { key: string; start: Date; end: Date };

const DAY_MS = 24 * 3_600_000;

/** ISO 8601 week label of a date, e.g. "2026-W48" (weeks start on Monday, in UTC). */
export function isoWeekKey(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/**
 * The period a run at `now` covers: papers ingested in the last `lookbackDays` (7 for weekly,
 * 1 for daily by default). The key names the calendar period, so two scheduler firings in
 * the same week (or day) share one key and create one run.
 */
export function periodFor({ frequency, now, lookbackDays }: { frequency: TFrequency; now: Date; lookbackDays: number }): TPeriod {
  const key = frequency === 'weekly' ? isoWeekKey(now) : now.toISOString().slice(0, 10);
  return { key, start: new Date(now.getTime() - lookbackDays * DAY_MS), end: now };
}
