/**
 * A schedule's next occurrence found again after an exclusion calendar it uses changed. Pure.
 *
 * The walk starts after the last occurrence fired (or at the schedule's first) and takes the first
 * occurrence, under the calendars as they are now, not before min(nextDueAt, now): an occurrence
 * already due stays due (or is dropped, if it now falls on an excluded day), and nothing in the past
 * that was never due comes back.
 */
import type { CalendarLookup } from '../domain/calendar';
import type { ScheduleState } from '../domain/schedule-state';
import { timelineOf } from '../domain/timeline';

/** Occurrences walked at most before the walk jumps to the threshold (a per-second schedule months behind). */
const MAX_STEPS = 100_000;

export function reevaluated(state: ScheduleState, calendars: CalendarLookup, now: number): ScheduleState {
  const threshold = state.nextDueAt === null ? now : Math.min(state.nextDueAt, now);
  // Drops from the old next occurrence on are new; those before it were counted when it was found.
  const skips = { count: 0, through: (state.nextDueAt ?? now) - 1 };
  const timeline = timelineOf(state.definition, state.definedAt, { calendars, skips });
  let t = state.lastScheduledAt === null ? timeline.next() : timeline.next(state.lastScheduledAt);
  for (let steps = 0; t !== undefined && t < threshold; steps++) t = steps < MAX_STEPS ? timeline.next(t) : timeline.next(threshold - 1);
  const nextDueAt = t ?? null;
  if (nextDueAt === state.nextDueAt && skips.count === 0) return state;
  return { ...state, nextDueAt, ...(skips.count > 0 || state.skipped !== undefined ? { skipped: (state.skipped ?? 0) + skips.count } : {}) };
}
