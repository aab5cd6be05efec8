/** The progress of one schedule: its definition and where its run stands. The store and the changelog persist it. */
import type { ScheduleDefinition } from './definition';

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
  lastScheduledAt: number | null;
  lastFiredAt: number | null;
}
