/**
 * What a control record does to a schedule's state. Pure: no store, no clock. Like a definition, a
 * control record is applied once: its offset becomes the state's sourceOffset, and a record at or
 * below it read again (after a crash or a rebalance) changes nothing.
 */
import type { CalendarLookup } from '../domain/calendar';
import type { ScheduleId } from '../domain/definition';
import type { ControlCommand } from '../domain/schedule-control';
import type { ScheduleState } from '../domain/schedule-state';
import { backfillTimeline, timelineOf } from '../domain/timeline';
import type { SourceRecord } from './apply-definition';

export type ControlOutcome =
  | { kind: 'already-applied' }
  /** Not applicable to this schedule now: dead-lettered with the reason. */
  | { kind: 'refused'; field: string; reason: string }
  /** `passed`: on a resume, the occurrences that came due while paused. */
  | { kind: 'applied'; state: ScheduleState; passed: number };

/** Occurrences counted at most when a resume counts what came due while paused. */
const PASSED_COUNT_CAP = 1_000_000;

/** Why a control cannot apply to `state` at all (REST answers it before writing, ingest dead-letters it). */
export function controlProblem(state: Pick<ScheduleState, 'definition' | 'backfill'>, command: ControlCommand): { field: string; reason: string } | undefined {
  if (command.control !== 'backfill') return undefined;
  const { timing } = state.definition;
  if (timing.kind === 'at' || timing.kind === 'delay') return { field: 'control', reason: `a backfill needs a recurring schedule (frequency or cron); ${state.definition.id} is a one-shot` };
  if (state.backfill) return { field: 'control', reason: `a backfill of [${iso(state.backfill.from)}, ${iso(state.backfill.to)}) is in progress; cancel it first` };
  return undefined;
}

export function controlOutcome(previous: ScheduleState | undefined, id: ScheduleId, command: ControlCommand, source: SourceRecord, now: number, calendars?: CalendarLookup): ControlOutcome {
  if (!previous) return { kind: 'refused', field: 'key', reason: `schedule ${id} does not exist` };
  if (previous.sourceOffset >= source.offset) return { kind: 'already-applied' };
  const problem = controlProblem(previous, command);
  if (problem) return { kind: 'refused', ...problem };
  const base: ScheduleState = { ...previous, sourceOffset: source.offset };
  const applied = (state: ScheduleState, passed = 0): ControlOutcome => ({ kind: 'applied', state, passed });
  switch (command.control) {
    case 'pause':
      return applied({ ...base, paused: { reason: command.reason, since: previous.paused?.since ?? source.timestamp } });
    case 'resume': {
      if (!previous.paused) return applied(base);
      const { paused: _paused, ...rest } = base;
      const passed = passedSince(previous, now, calendars);
      // A backfill goes on at its pace from now, not in a burst for the time it waited.
      if (rest.backfill && rest.backfill.emitted > 0) rest.backfill = { ...rest.backfill, pacedFrom: now - (rest.backfill.emitted * 1000) / rest.backfill.perSecond };
      return applied({ ...rest, resumed: { at: now, ...(command.reason === undefined ? {} : { reason: command.reason }), passed } }, passed);
    }
    case 'trigger': {
      const trigger = { scheduledAt: source.timestamp, fireId: `${id}@${source.timestamp}/trigger-${source.offset}` };
      return applied({ ...base, triggers: [...(previous.triggers ?? []), trigger] });
    }
    case 'skip':
      return applied({ ...base, skipNext: (previous.skipNext ?? 0) + command.count });
    case 'backfill': {
      const { from, to, perSecond } = command;
      const first = backfillTimeline(previous.definition, from, to, calendars).next() ?? null;
      const progress = { from, to, perSecond, next: first, emitted: 0, pacedFrom: now };
      // A range without any occurrence is done at once.
      if (first === null) return applied({ ...base, lastBackfill: { ...progress, endedAt: now, cancelled: false } });
      return applied({ ...base, backfill: progress });
    }
    case 'cancel-backfill': {
      if (!previous.backfill) return applied(base);
      const { backfill, ...rest } = base;
      return applied({ ...rest, lastBackfill: { ...(backfill ?? previous.backfill), endedAt: now, cancelled: true } });
    }
  }
}

/** The occurrences due by `now` since the paused schedule's next one: the misfire policy meets them on resume. */
function passedSince(state: ScheduleState, now: number, calendars?: CalendarLookup): number {
  if (state.nextDueAt === null || state.nextDueAt > now) return 0;
  return timelineOf(state.definition, state.definedAt, { calendars }).span(state.nextDueAt, now, PASSED_COUNT_CAP).count;
}

function iso(t: number): string {
  return new Date(t).toISOString();
}
