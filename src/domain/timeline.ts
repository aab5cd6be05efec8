/**
 * When a schedule's occurrences fall. Pure maths on epoch milliseconds.
 *
 * - at: once at the instant; delay: once at the definition record's timestamp plus the delay.
 * - frequency: at start + k*period when start is given, else at multiples of the period since the
 *   epoch (every 5 minutes: :00, :05, ... UTC). Only occurrences at or after the definition record's
 *   timestamp exist: a schedule has no occurrences before it was defined.
 * - cron: see cron.ts.
 * - start and end bound every timing: an occurrence exists only when start <= t < end.
 * - windows and exclusion calendars then move or drop occurrences: see time-rules.ts.
 */
import { excludedDays, type CalendarLookup } from './calendar';
import { cronNextAfter } from './cron';
import { scheduleZone, type ScheduleDefinition } from './definition';
import { WindowSet } from './execution-windows';
import { ruledNext, type SkipCount } from './time-rules';
import { ZoneOffsets } from './zone-offsets';

export interface Timeline {
  /** The first occurrence strictly after `after`; the first of all when `after` is undefined. */
  next(after?: number): number | undefined;
  /**
   * Occurrences in [from, until]: how many and the last one, counting at most `cap`
   * (frequency timelines count arithmetically, without a cap).
   */
  span(from: number, until: number, cap: number): { count: number; last: number | undefined };
}

export interface TimelineContext {
  /** The exclusion calendars by name; a name not found excludes nothing. */
  calendars?: CalendarLookup;
  /** Counts what windows and exclusions drop. */
  skips?: SkipCount;
}

export function timelineOf(definition: ScheduleDefinition, definedAt: number, context: TimelineContext = {}): Timeline {
  const base = timingTimeline(definition, definedAt);
  if (!definition.windows && !definition.exclude?.length) return base;
  const calendars = (definition.exclude ?? []).flatMap((name) => context.calendars?.(name) ?? []);
  const isExcludedDay = excludedDays(calendars);
  const rules = {
    zone: ZoneOffsets.of(scheduleZone(definition)),
    windows: definition.windows ? new WindowSet(definition.windows, isExcludedDay) : undefined,
    outsideWindow: definition.outsideWindow ?? 'defer',
    isExcludedDay,
    end: definition.end ?? Number.POSITIVE_INFINITY,
  };
  return countingTimeline(ruledNext(base, rules, context.skips));
}

/**
 * The occurrences of a recurring schedule in [from, to), under its windows and calendars: what a
 * backfill emits. Not before the schedule's own start, nor at or after its end.
 */
export function backfillTimeline(definition: ScheduleDefinition, from: number, to: number, calendars?: CalendarLookup): Timeline {
  return timelineOf({ ...definition, end: Math.min(definition.end ?? Number.POSITIVE_INFINITY, to) }, from, { calendars });
}

function timingTimeline(definition: ScheduleDefinition, definedAt: number): Timeline {
  const lower = Math.max(definition.start ?? definedAt, definedAt);
  const end = definition.end ?? Number.POSITIVE_INFINITY;
  const within = (t: number | undefined): number | undefined => (t !== undefined && t >= (definition.start ?? -Infinity) && t < end ? t : undefined);
  const { timing } = definition;
  switch (timing.kind) {
    case 'at':
    case 'delay': {
      const instant = within(timing.kind === 'at' ? timing.at : definedAt + timing.delayMs);
      return countingTimeline((after) => (after === undefined ? instant : undefined));
    }
    case 'frequency':
      return frequencyTimeline(timing.periodMs, definition.start ?? 0, lower, end);
    case 'cron':
      return countingTimeline((after) => {
        // cron-parser returns instants strictly after its start; lower - 1 makes `lower` itself eligible.
        const t = cronNextAfter(timing.expression, timing.timezone, after ?? lower - 1, timing.dst);
        return t !== undefined && t < end ? t : undefined;
      });
  }
}

function countingTimeline(next: (after?: number) => number | undefined): Timeline {
  return {
    next,
    span(from, until, cap) {
      let count = 0;
      let last: number | undefined;
      for (let t: number | undefined = from; t !== undefined && t <= until && count < cap; t = next(t)) {
        count++;
        last = t;
      }
      return { count, last };
    },
  };
}

function frequencyTimeline(period: number, anchor: number, lower: number, end: number): Timeline {
  const at = (k: number): number | undefined => {
    const t = anchor + k * period;
    return t < end ? t : undefined;
  };
  const firstIndexAtOrAfter = (t: number): number => Math.ceil((t - anchor) / period);
  return {
    next(after) {
      return after === undefined ? at(firstIndexAtOrAfter(lower)) : at(Math.max(firstIndexAtOrAfter(lower), Math.floor((after - anchor) / period) + 1));
    },
    span(from, until) {
      const first = firstIndexAtOrAfter(from);
      const lastIndex = Math.floor((Math.min(until, end - 1) - anchor) / period);
      if (lastIndex < first) return { count: 0, last: undefined };
      return { count: lastIndex - first + 1, last: anchor + lastIndex * period };
    },
  };
}

/**
 * Up to `count` occurrences starting with `nextDueAt`, within the schedule's end and `remaining`
 * (what its limit still allows). Later occurrences follow from nextDueAt alone.
 */
export function upcomingOccurrences(definition: ScheduleDefinition, nextDueAt: number, remaining: number, count: number, calendars?: CalendarLookup): number[] {
  const timeline = timelineOf(definition, nextDueAt, { calendars });
  const times: number[] = [];
  for (let t: number | undefined = nextDueAt; t !== undefined && times.length < Math.min(count, remaining); t = timeline.next(t)) times.push(t);
  return times;
}
