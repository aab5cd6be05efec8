/** What the store and the changelog keep about one schedule. */
import type { ScheduleDefinition } from '../domain/definition';

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

/** Where the store stands relative to Kafka: every changelog record below `changelogOffset` is applied. */
export interface Checkpoint {
  changelogTopic: string;
  changelogPartition: number;
  changelogOffset: number;
  /** The next definitions offset to consume, as the changelog below changelogOffset last recorded it; absent before any. */
  inputOffset?: number;
}
