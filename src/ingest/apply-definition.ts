/** The schedule state an upsert leads to. Pure: no store, no clock. */
import { isDeepStrictEqual } from 'node:util';
import type { ScheduleDefinition } from '../domain/definition';
import { timelineOf } from '../domain/timeline';
import type { ScheduleState } from '../store/schedule-state';

export interface SourceRecord {
  offset: number;
  timestamp: number;
}

/**
 * The new state after an INSERT/UPDATE, or 'unchanged' when the record was already applied: read
 * again after a crash (its offset is not newer than the state's), or a duplicate of the same
 * definition with the same record timestamp (a producer retry). An upsert starts a new run: the next
 * occurrence is recomputed from the new timing, and fired/missed counts start from zero.
 */
export function stateAfterUpsert(previous: ScheduleState | undefined, definition: ScheduleDefinition, source: SourceRecord): ScheduleState | 'unchanged' {
  if (previous && previous.sourceOffset >= source.offset) return 'unchanged';
  if (previous && previous.definedAt === source.timestamp && isDeepStrictEqual(previous.definition, definition)) return 'unchanged';
  return {
    definition,
    definedAt: source.timestamp,
    sourceOffset: source.offset,
    nextDueAt: timelineOf(definition, source.timestamp).next() ?? null,
    fired: 0,
    missed: 0,
    lastScheduledAt: null,
    lastFiredAt: null,
  };
}
