/** Firing one due schedule: which occurrences to emit and the state after them. Pure. */
import type { Occurrence } from '../domain/execution-event';
import type { CalendarLookup } from '../domain/calendar';
import { fireAtOf } from '../domain/jitter';
import { timelineOf } from '../domain/timeline';
import type { ScheduleState } from '../domain/schedule-state';
import { planFires } from './misfire';

export interface FireOutcome {
  occurrences: Occurrence[];
  missed: number;
  /** Occurrences the schedule's windows and exclusion calendars dropped. */
  skipped: number;
  /** The state after these fires; null when the schedule has no more occurrences (finished). */
  next: ScheduleState | null;
}

export function fireDue(state: ScheduleState, now: number, lateThresholdMs: number, maxFires: number, calendars?: CalendarLookup): FireOutcome {
  if (state.nextDueAt === null) return { occurrences: [], missed: 0, skipped: 0, next: null };
  const remaining = (state.definition.limit ?? Number.POSITIVE_INFINITY) - state.fired;
  // What the rules dropped up to nextDueAt was counted when nextDueAt was found.
  const skips = { count: 0, through: state.nextDueAt };
  const plan = planFires({
    timeline: timelineOf(state.definition, state.definedAt, { calendars, skips }),
    fireAt: (t) => fireAtOf(state.definition, t),
    policy: state.definition.misfire,
    nextDueAt: state.nextDueAt,
    now,
    lateThresholdMs,
    remaining,
    maxFires,
  });
  const occurrences = plan.fires.map((scheduledAt, i) => ({ scheduledAt, occurrence: state.fired + i + 1 }));
  const last = occurrences[occurrences.length - 1];
  const after: ScheduleState = {
    ...state,
    nextDueAt: plan.next ?? null,
    fired: state.fired + occurrences.length,
    missed: state.missed + plan.missed,
    ...(skips.count > 0 || state.skipped !== undefined ? { skipped: (state.skipped ?? 0) + skips.count } : {}),
    lastScheduledAt: last?.scheduledAt ?? state.lastScheduledAt,
    lastFiredAt: last ? now : state.lastFiredAt,
  };
  return { occurrences, missed: plan.missed, skipped: skips.count, next: after.nextDueAt === null ? null : after };
}
