/**
 * Local calendar days as numbers: the epoch day of a wall-clock time read in UTC (day 0 is
 * 1970-01-01, a Thursday). Windows and exclusion calendars speak in these, in the schedule's zone.
 */
import type { ZoneOffsets } from './zone-offsets';

export const DAY_MS = 86_400_000;

export type Weekday = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN';
/** Indexed like Date.getUTCDay: Sunday is 0. */
export const WEEKDAYS: readonly Weekday[] = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export function dayOfWall(wall: number): number {
  return Math.floor(wall / DAY_MS);
}

export function weekdayOf(day: number): Weekday {
  return WEEKDAYS[(((day + 4) % 7) + 7) % 7] as Weekday;
}

/** "2026-12-25" as an epoch day, or undefined when it is not a real date. */
export function dayOfDate(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return dayOfWall(date.getTime());
}

/** The first instant at or after `t` whose wall clock in `zone` shows `wall` or later (a gap's end when the clocks jump over it). */
export function firstInstantAtWall(zone: ZoneOffsets, wall: number, t: number): number {
  for (let from = t; ; ) {
    const segment = zone.segmentAt(from);
    const candidate = wall - segment.offsetMs;
    if (candidate < segment.to) return Math.max(candidate, from);
    from = segment.to;
  }
}
