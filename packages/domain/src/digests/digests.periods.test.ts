import { describe, expect, it } from 'vitest';
import { isoWeekKey, isoWeekStart, periodFor } from './digests.periods.ts';

describe('digest periods', () => {
  it('names ISO weeks the way calendars do, across year boundaries', () => {
    expect(isoWeekKey(new Date('2026-11-27T10:00:00Z'))).toBe('2026-W48');
    expect(isoWeekKey(new Date('2026-01-01T00:00:00Z'))).toBe('2026-W01');
    expect(isoWeekKey(new Date('2027-01-01T00:00:00Z'))).toBe('2026-W53');
    expect(isoWeekKey(new Date('2024-12-30T08:00:00Z'))).toBe('2025-W01');
    expect(isoWeekKey(new Date('2021-01-03T23:59:00Z'))).toBe('2020-W53');
    expect(isoWeekKey(new Date('2026-12-28T00:00:00Z'))).toBe('2026-W53');
  });

  it('a week starts on Monday at midnight UTC, Sundays included in the week before', () => {
    expect(isoWeekStart(new Date('2026-11-27T10:00:00Z')).toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(isoWeekStart(new Date('2026-11-23T00:00:00Z')).toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(isoWeekStart(new Date('2026-11-29T23:59:59Z')).toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(isoWeekStart(new Date('2027-01-01T12:00:00Z')).toISOString()).toBe('2026-12-28T00:00:00.000Z');
  });

  it("a period's calendar start is its Monday (weekly) or its midnight (daily)", () => {
    expect(periodFor({ frequency: 'weekly', now: new Date('2026-11-27T10:00:00Z'), lookbackDays: 7 }).calendarStart.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(periodFor({ frequency: 'daily', now: new Date('2026-11-27T10:00:00Z'), lookbackDays: 1 }).calendarStart.toISOString()).toBe('2026-11-27T00:00:00.000Z');
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
