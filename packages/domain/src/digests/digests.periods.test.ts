import { describe, expect, it } from 'vitest';
import { isoWeekKey, periodFor } from './digests.periods.ts';

describe('digest periods', () => {
  it('names ISO weeks the way calendars do, across year boundaries', () => {
    expect(isoWeekKey(new Date('2026-11-27T10:00:00Z'))).toBe('2026-W48');
    expect(isoWeekKey(new Date('2026-01-01T00:00:00Z'))).toBe('2026-W01');
    expect(isoWeekKey(new Date('2027-01-01T00:00:00Z'))).toBe('2026-W53');
    expect(isoWeekKey(new Date('2024-12-30T08:00:00Z'))).toBe('2025-W01');
  });

  it('two weekly firings in the same week share a key; the window looks back from now', () => {
    const monday = periodFor({ frequency: 'weekly', now: new Date('2026-11-23T08:00:00Z'), lookbackDays: 7 });
    const again = periodFor({ frequency: 'weekly', now: new Date('2026-11-23T08:00:05Z'), lookbackDays: 7 });
    expect(monday.key).toBe(again.key);
    expect(monday.start.toISOString()).toBe('2026-11-16T08:00:00.000Z');
    expect(monday.end.toISOString()).toBe('2026-11-23T08:00:00.000Z');
  });

  it('daily periods are keyed by the UTC date', () => {
    expect(periodFor({ frequency: 'daily', now: new Date('2026-11-27T23:59:00Z'), lookbackDays: 1 }).key).toBe('2026-11-27');
  });
});
