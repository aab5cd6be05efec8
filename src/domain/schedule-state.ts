/** The progress of one schedule: its definition and where its run stands. The store and the changelog persist it. */
import type { ScheduleDefinition } from './definition';
import { fireAtOf } from './jitter';

export interface ScheduleState {
  definition: ScheduleDefinition;
  /** Timestamp of the definition record: delay and frequency alignment count from it. */
  definedAt: number;
  /** Offset of the definitions record that set this state; an older or equal offset read again is a replay. */
  sourceOffset: number;
  /** Next occurrence not yet emitted; null when the schedule has no more. */
  nextDueAt: number | null;
  /** Occurrences emitted so far. */
  fired: number;
  /** Occurrences the misfire policy dropped. */
  missed: number;
  /** Occurrences execution windows (skip, or folded into one deferred fire) and exclusion calendars dropped; absent in states written before windows. */
  skipped?: number;
  lastScheduledAt: number | null;
  lastFiredAt: number | null;
  // Control (domain/schedule-control.ts); each field absent while not in force.
  /** Paused: no occurrence fires and a backfill waits; occurrences coming due meet the misfire policy on resume. */
  paused?: { reason: string; since: number };
  /** The latest resume, with how many occurrences came due while paused. */
  resumed?: { at: number; reason?: string; passed: number };
  /** Occurrences still to skip: the next ones that come due are dropped (counted in skipped) instead of fired. */
  skipNext?: number;
  /** Triggered fires not yet emitted (they go out in the next transaction, paused or not). */
  triggers?: TriggeredFire[];
  /** Triggered fires emitted so far. */
  triggered?: number;
  /** The backfill in progress. */
  backfill?: BackfillProgress;
  /** The latest backfill that ended, done or cancelled. */
  lastBackfill?: BackfillProgress & { endedAt: number; cancelled: boolean };
}

export interface TriggeredFire {
  /** When it was asked for (the control record's timestamp): its scheduled time. */
  scheduledAt: number;
  /** `<id>@<scheduledAt>/trigger-<offset of the control record>`: unlike any occurrence's. */
  fireId: string;
}

export interface BackfillProgress {
  /** The range [from, to) whose occurrences are emitted again. */
  from: number;
  to: number;
  perSecond: number;
  /** The next occurrence of the range to emit; null once all were. */
  next: number | null;
  emitted: number;
  /** The throttle counts from here (the first fire; moved on a resume): fire n (0-based) goes out no earlier than pacedFrom + n / perSecond. */
  pacedFrom: number;
}

/** When the backfill's next fire may go out under its throttle. */
export function backfillPaceAt(backfill: BackfillProgress): number {
  return backfill.pacedFrom + Math.ceil((backfill.emitted * 1000) / backfill.perSecond);
}

/**
 * When the schedule fires next: a triggered fire at once, else the earlier of its next occurrence
 * (due time plus jitter) and its backfill's next paced fire, neither while paused; null when nothing is to fire.
 */
export function fireAtOfState(state: ScheduleState): number | null {
  let at = Number.POSITIVE_INFINITY;
  for (const trigger of state.triggers ?? []) at = Math.min(at, trigger.scheduledAt);
  if (!state.paused) {
    if (state.nextDueAt !== null) at = Math.min(at, fireAtOf(state.definition, state.nextDueAt));
    if (state.backfill && state.backfill.next !== null) at = Math.min(at, backfillPaceAt(state.backfill));
  }
  return at === Number.POSITIVE_INFINITY ? null : at;
}

/** Whether anything is left to fire: a regular occurrence, a triggered fire, or a backfill. */
export function hasWorkLeft(state: ScheduleState): boolean {
  return state.nextDueAt !== null || (state.triggers?.length ?? 0) > 0 || state.backfill !== undefined;
}
