/** Firing one due schedule: which occurrences to emit and the state after them. Pure. */
import type { Occurrence } from '../domain/execution-event';
import { timelineOf } from '../domain/timeline';
import type { ScheduleState } from '../domain/schedule-state';
import { planFires } from './misfire';

export interface FireOutcome {
  occurrences: Occurrence[];
  missed: number;
  /** The state after these fires; null when the schedule has no more occurrences (finished). */
  next: ScheduleState | null;
}

export function fireDue(state: ScheduleState, now: number, lateThresholdMs: number, maxFires: number): FireOutcome {
  if (state.nextDueAt === null) return { occurrences: [], missed: 0, next: null };
  const remaining = (state.definition.limit ?? Number.POSITIVE_INFINITY) - state.fired;
  const plan = planFires({
    timeline: timelineOf(state.definition, state.definedAt),
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
    lastScheduledAt: last?.scheduledAt ?? state.lastScheduledAt,
    lastFiredAt: last ? now : state.lastFiredAt,
  };
  return { occurrences, missed: plan.missed, next: after.nextDueAt === null ? null : after };
}
