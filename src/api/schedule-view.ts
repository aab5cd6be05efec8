/** How a schedule looks over HTTP. */
import type { ScheduleState } from '../store/schedule-state';

export interface ScheduleView {
  id: string;
  host: string;
  name: string;
  status: 'scheduled';
  nextFireAt: string | null;
  occurrencesFired: number;
  occurrencesMissed: number;
  lastScheduledAt: string | null;
  lastFiredAt: string | null;
  definition: ScheduleState['definition'];
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
    lastScheduledAt: iso(state.lastScheduledAt),
    lastFiredAt: iso(state.lastFiredAt),
    definition,
  };
}
