/**
 * Execution windows: the local hours, per weekday, in which a schedule may fire. A window belongs to
 * the day it opens on; `to` at or before `from` closes it the next day (22:00 to 06:00), and a
 * window on an excluded day does not open. Wall-clock times, in the schedule's zone: a window whose
 * opening the clocks jump over opens when the jump lands.
 */
import { DAY_MS, dayOfWall, weekdayOf, type Weekday } from './local-days';
import type { ZoneOffsets } from './zone-offsets';

export interface ExecutionWindow {
  days: Weekday[];
  /** "09:00" */
  from: string;
  /** "17:00"; "24:00" is midnight at the end of the day. */
  to: string;
}

interface Span {
  weekday: Weekday;
  fromMs: number;
  /** After DAY_MS when the window closes the next day. */
  toMs: number;
}

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Milliseconds after midnight of "HH:MM" ("24:00" only when `allowMidnightEnd`), or undefined. */
export function timeOfDayMs(text: string, allowMidnightEnd = false): number | undefined {
  if (allowMidnightEnd && text === '24:00') return DAY_MS;
  const match = CLOCK.exec(text);
  return match ? (Number(match[1]) * 60 + Number(match[2])) * 60_000 : undefined;
}

/** Why a window is invalid (naming its field), or undefined. */
export function windowProblem(window: ExecutionWindow): { field: 'from' | 'to' | 'days'; reason: string } | undefined {
  if (timeOfDayMs(window.from) === undefined) return { field: 'from', reason: `${JSON.stringify(window.from)} is not a time of day HH:MM (00:00 to 23:59)` };
  const to = timeOfDayMs(window.to, true);
  if (to === undefined) return { field: 'to', reason: `${JSON.stringify(window.to)} is not a time of day HH:MM (00:00 to 24:00)` };
  if (to === timeOfDayMs(window.from)) return { field: 'to', reason: `${window.to} equals from: a window needs a length (00:00 to 24:00 is a whole day)` };
  if (new Set(window.days).size !== window.days.length) return { field: 'days', reason: `${JSON.stringify(window.days)} names a day twice` };
  return undefined;
}

export class WindowSet {
  private readonly spans: Span[];

  /** `windows` must be valid (windowProblem). */
  constructor(windows: ExecutionWindow[], private readonly isExcludedDay: (day: number) => boolean = () => false) {
    this.spans = windows.flatMap((window) => {
      const fromMs = timeOfDayMs(window.from) as number;
      const to = timeOfDayMs(window.to, true) as number;
      const toMs = to > fromMs ? to : to + DAY_MS;
      return window.days.map((weekday) => ({ weekday, fromMs, toMs }));
    });
  }

  /** Whether a wall-clock time lies inside an open window. */
  contains(wall: number): boolean {
    const day = dayOfWall(wall);
    const ms = wall - day * DAY_MS;
    return this.spans.some(
      (span) =>
        (span.weekday === weekdayOf(day) && ms >= span.fromMs && ms < span.toMs && !this.isExcludedDay(day)) ||
        (span.toMs > DAY_MS && span.weekday === weekdayOf(day - 1) && ms + DAY_MS < span.toMs && !this.isExcludedDay(day - 1)),
    );
  }

  /** The first wall-clock time in [wall, limit) inside an open window. */
  firstOpenWall(wall: number, limit: number): number | undefined {
    if (this.contains(wall)) return wall;
    for (let day = dayOfWall(wall); day * DAY_MS < limit; day++) {
      if (this.isExcludedDay(day)) continue;
      const weekday = weekdayOf(day);
      let best: number | undefined;
      for (const span of this.spans) {
        const opens = day * DAY_MS + span.fromMs;
        if (span.weekday === weekday && opens >= wall && opens < limit && (best === undefined || opens < best)) best = opens;
      }
      if (best !== undefined) return best;
    }
    return undefined;
  }

  /** The first instant at or after `t`, before `horizon`, at which `zone`'s wall clock is inside an open window. */
  nextOpenInstant(zone: ZoneOffsets, t: number, horizon: number): number | undefined {
    for (let from = t; from < horizon; ) {
      const segment = zone.segmentAt(from);
      const wall = this.firstOpenWall(from + segment.offsetMs, Math.min(segment.to, horizon) + segment.offsetMs);
      if (wall !== undefined) return wall - segment.offsetMs;
      from = segment.to;
    }
    return undefined;
  }
}

