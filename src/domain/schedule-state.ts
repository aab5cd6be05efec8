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
}

/** When the schedule's next occurrence fires (its due time plus its jitter); null when it has none. */
export function fireAtOfState(state: ScheduleState): number | null {
  return state.nextDueAt === null ? null : fireAtOf(state.definition, state.nextDueAt);
}
