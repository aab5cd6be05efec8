/** What an INSERT/UPDATE does to a schedule's state. Pure: no store, no clock. */
import { isDeepStrictEqual } from 'node:util';
import type { ScheduleDefinition, Timing } from '../domain/definition';
import type { CalendarLookup } from '../domain/calendar';
import { timelineOf } from '../domain/timeline';
import type { ScheduleState } from '../domain/schedule-state';

export interface SourceRecord {
  offset: number;
  timestamp: number;
}

export type UpsertOutcome =
  /** The record was applied before (read again after a crash or a rebalance): nothing changes. */
  | { kind: 'already-applied' }
  /** The same definition again (a repeated PUT, INSERT or UPDATE): the run goes on as it was, only the applied offset moves. */
  | { kind: 'same-run'; state: ScheduleState }
  /** A new or changed definition: a new run, its first occurrence computed from the record's timestamp, counts from zero. */
  | { kind: 'new-run'; state: ScheduleState };

export function upsertOutcome(previous: ScheduleState | undefined, definition: ScheduleDefinition, source: SourceRecord, calendars?: CalendarLookup): UpsertOutcome {
  if (previous && previous.sourceOffset >= source.offset) return { kind: 'already-applied' };
  if (previous && sameSchedule(previous.definition, definition)) return { kind: 'same-run', state: { ...previous, definition, sourceOffset: source.offset } };
  const skips = { count: 0, through: Number.NEGATIVE_INFINITY };
  const nextDueAt = timelineOf(definition, source.timestamp, { calendars, skips }).next() ?? null;
  return {
    kind: 'new-run',
    state: {
      definition,
      definedAt: source.timestamp,
      sourceOffset: source.offset,
      nextDueAt,
      fired: 0,
      missed: 0,
      ...(skips.count > 0 ? { skipped: skips.count } : {}),
      lastScheduledAt: null,
      lastFiredAt: null,
      ...controlCarriedOver(previous, source.timestamp),
    },
  };
}

/**
 * What a new run keeps of the control in force: a pause stays until resumed and triggered fires not
 * yet emitted still go out; skips counted the old run's occurrences and lapse, and a backfill of the
 * old definition ends, cancelled.
 */
function controlCarriedOver(previous: ScheduleState | undefined, at: number): Partial<ScheduleState> {
  if (!previous) return {};
  return {
    ...(previous.paused ? { paused: previous.paused } : {}),
    ...(previous.triggers?.length ? { triggers: previous.triggers } : {}),
    ...(previous.backfill ? { lastBackfill: { ...previous.backfill, endedAt: at, cancelled: true } } : {}),
  };
}

/** Equal in everything that decides what fires and what is emitted; INSERT or UPDATE, and the unit a duration was written in, do not count. */
function sameSchedule(a: ScheduleDefinition, b: ScheduleDefinition): boolean {
  return isDeepStrictEqual(meaning(a), meaning(b));
}

function meaning(definition: ScheduleDefinition): Omit<ScheduleDefinition, 'action'> {
  const { action: _action, timing, ...rest } = definition;
  return { ...rest, timing: withoutGiven(timing) };
}

function withoutGiven(timing: Timing): Timing {
  if (timing.kind !== 'delay' && timing.kind !== 'frequency') return timing;
  const { given: _given, ...rest } = timing;
  return rest;
}
