/** How a schedule looks over HTTP. */
import { fireAtOfState, type ScheduleState } from '../domain/schedule-state';
import type { OccurrenceOutcome } from '../domain/occurrence-outcome';

export interface ScheduleView {
  id: string;
  host: string;
  name: string;
  status: 'scheduled';
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
  /** The latest occurrence's outcome as executors reported it, null before any; a single schedule's read only, not lists. */
  lastOutcome?: OccurrenceOutcome | null;
}

export function scheduleView(state: ScheduleState): ScheduleView {
  const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
  const { definition } = state;
  return {
    id: definition.id,
    host: definition.host,
    name: definition.name,
    status: 'scheduled',
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
  };
}
