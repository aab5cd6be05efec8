/** How a schedule looks over HTTP. */
import { fireAtOfState, type BackfillProgress, type ScheduleState } from '../domain/schedule-state';
import type { OccurrenceOutcome } from '../domain/occurrence-outcome';

export interface ScheduleView {
  id: string;
  host: string;
  name: string;
  /** paused while a pause is in force (see paused). */
  status: 'scheduled' | 'paused';
  nextFireAt: string | null;
  occurrencesFired: number;
  occurrencesMissed: number;
  /** Occurrences execution windows and exclusion calendars dropped. */
  occurrencesSkipped: number;
  /** When the next occurrence is emitted: nextFireAt plus its jitter. */
  nextEmitAt: string | null;
  lastScheduledAt: string | null;
  lastFiredAt: string | null;
  /** Offset of the definitions record this state comes from (what `?wait=applied` waits for). */
  appliedOffset: number;
  /** Occurrences the schedule's limit still allows; null without a limit. */
  remaining: number | null;
  definition: ScheduleState['definition'];
  /** Control in force (each absent when not): the pause and its reason, */
  paused?: { reason: string; since: string };
  /** the latest resume and how many occurrences came due while paused, */
  resumed?: { at: string; reason?: string; passedWhilePaused: number };
  /** occurrences still to skip, */
  skipNext?: number;
  /** triggered fires not yet emitted and those emitted, */
  pendingTriggers?: number;
  triggered?: number;
  /** the backfill in progress, and the latest one that ended. */
  backfill?: BackfillView;
  lastBackfill?: BackfillView & { endedAt: string; cancelled: boolean };
  /** The latest occurrence's outcome as executors reported it, null before any; a single schedule's read only, not lists. */
  lastOutcome?: OccurrenceOutcome | null;
}

export interface BackfillView {
  from: string;
  to: string;
  perSecond: number;
  /** Occurrences of the range emitted so far. */
  emitted: number;
  /** The next occurrence of the range to emit; null once all were. */
  next: string | null;
}

function backfillView(backfill: BackfillProgress): BackfillView {
  const iso = (t: number): string => new Date(t).toISOString();
  return { from: iso(backfill.from), to: iso(backfill.to), perSecond: backfill.perSecond, emitted: backfill.emitted, next: backfill.next === null ? null : iso(backfill.next) };
}

/** The control fields of the view that are in force. */
function controlView(state: ScheduleState): Partial<ScheduleView> {
  const iso = (t: number): string => new Date(t).toISOString();
  const { paused, resumed, skipNext, triggers, triggered, backfill, lastBackfill } = state;
  return {
    ...(paused ? { paused: { reason: paused.reason, since: iso(paused.since) } } : {}),
    ...(resumed ? { resumed: { at: iso(resumed.at), ...(resumed.reason === undefined ? {} : { reason: resumed.reason }), passedWhilePaused: resumed.passed } } : {}),
    ...(skipNext ? { skipNext } : {}),
    ...(triggers?.length ? { pendingTriggers: triggers.length } : {}),
    ...(triggered ? { triggered } : {}),
    ...(backfill ? { backfill: backfillView(backfill) } : {}),
    ...(lastBackfill ? { lastBackfill: { ...backfillView(lastBackfill), endedAt: iso(lastBackfill.endedAt), cancelled: lastBackfill.cancelled } } : {}),
  };
}

export function scheduleView(state: ScheduleState): ScheduleView {
  const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
  const { definition } = state;
  return {
    id: definition.id,
    host: definition.host,
    name: definition.name,
    status: state.paused ? 'paused' : 'scheduled',
    nextFireAt: iso(state.nextDueAt),
    occurrencesFired: state.fired,
    occurrencesMissed: state.missed,
    occurrencesSkipped: state.skipped ?? 0,
    nextEmitAt: iso(fireAtOfState(state)),
    lastScheduledAt: iso(state.lastScheduledAt),
    lastFiredAt: iso(state.lastFiredAt),
    appliedOffset: state.sourceOffset,
    remaining: definition.limit === undefined ? null : definition.limit - state.fired,
    definition,
    ...controlView(state),
  };
}
