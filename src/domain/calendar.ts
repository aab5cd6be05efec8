/**
 * Exclusion calendars: named sets of local days on which a schedule that lists the calendar in
 * `exclude` does not fire (and its windows do not open). Days are read in each schedule's own zone.
 */
import { dayOfDate, weekdayOf, DAY_MS, type Weekday } from './local-days';

export interface Calendar {
  name: string;
  description?: string;
  /** "2026-12-25" */
  dates?: string[];
  /** Both ends included: {from: "2026-12-24", to: "2026-12-31"}. */
  ranges?: { from: string; to: string }[];
  /** Every year: "12-25"; "02-29" only in leap years. */
  yearly?: string[];
  weekdays?: Weekday[];
}

export type CalendarLookup = (name: string) => Calendar | undefined;

/** Why a calendar is invalid, naming the field, or undefined. The JSON Schema has checked its shape. */
export function calendarProblem(calendar: Calendar): { field: string; reason: string } | undefined {
  for (const [index, date] of (calendar.dates ?? []).entries()) {
    if (dayOfDate(date) === undefined) return { field: `dates.${index}`, reason: `${JSON.stringify(date)} is not a date YYYY-MM-DD` };
  }
  for (const [index, range] of (calendar.ranges ?? []).entries()) {
    const from = dayOfDate(range.from);
    const to = dayOfDate(range.to);
    if (from === undefined) return { field: `ranges.${index}.from`, reason: `${JSON.stringify(range.from)} is not a date YYYY-MM-DD` };
    if (to === undefined) return { field: `ranges.${index}.to`, reason: `${JSON.stringify(range.to)} is not a date YYYY-MM-DD` };
    if (to < from) return { field: `ranges.${index}.to`, reason: `${range.to} is before from ${range.from}` };
  }
  for (const [index, monthDay] of (calendar.yearly ?? []).entries()) {
    // 2024 is a leap year: 02-29 is a valid yearly date.
    if (dayOfDate(`2024-${monthDay}`) === undefined) return { field: `yearly.${index}`, reason: `${JSON.stringify(monthDay)} is not a month and day MM-DD` };
  }
  return undefined;
}

/** A predicate over epoch days for the union of `calendars` (each valid). */
export function excludedDays(calendars: Calendar[]): (day: number) => boolean {
  const predicates = calendars.map(excludedDaysOf);
  if (predicates.length === 1 && predicates[0]) return predicates[0];
  return (day) => predicates.some((excluded) => excluded(day));
}

/** Built once per calendar object: a schedule's next occurrence is found again and again with the same calendars. */
const predicates = new WeakMap<Calendar, (day: number) => boolean>();

function excludedDaysOf(calendar: Calendar): (day: number) => boolean {
  const known = predicates.get(calendar);
  if (known) return known;
  const dates = new Set((calendar.dates ?? []).map((date) => dayOfDate(date) as number));
  const ranges = (calendar.ranges ?? []).map((range): [number, number] => [dayOfDate(range.from) as number, dayOfDate(range.to) as number]);
  const yearly = new Set(calendar.yearly ?? []);
  const weekdays = new Set<Weekday>(calendar.weekdays ?? []);
  const excluded = (day: number): boolean =>
    dates.has(day) ||
    weekdays.has(weekdayOf(day)) ||
    (yearly.size > 0 && yearly.has(new Date(day * DAY_MS).toISOString().slice(5, 10))) ||
    ranges.some(([from, to]) => day >= from && day <= to);
  predicates.set(calendar, excluded);
  return excluded;
}

