/**
 * What the node owning a schedule's partition answers about it: its view with the last outcome,
 * and its history. Undefined `value` means the schedule is unknown here (404); `owned: false` that
 * another node must answer (421 between nodes).
 */
import type { ScheduleId } from '../domain/definition';
import type { OccurrenceOutcome } from '../domain/occurrence-outcome';
import type { LocalSchedules } from './schedule-directory';
import { scheduleView, type ScheduleView } from './schedule-view';

/** Most outcomes one history read returns. */
export const MAX_HISTORY_LIMIT = 1_000;

export type OwnedAnswer<T> = { owned: true; value: T | undefined } | { owned: false };

export interface HistoryPage {
  id: ScheduleId;
  /** Latest occurrence first. */
  items: OccurrenceOutcome[];
}

export async function ownedView(local: LocalSchedules, id: ScheduleId): Promise<OwnedAnswer<ScheduleView>> {
  const found = await local.lookup(id);
  if (!found.owned) return found;
  if (!found.state) return { owned: true, value: undefined };
  const outcomes = await local.outcomes(id, 1);
  if (!outcomes.owned) return outcomes;
  return { owned: true, value: { ...scheduleView(found.state), lastOutcome: outcomes.outcomes[0] ?? null } };
}

/** A schedule's history; unknown only when it neither exists nor has any outcome kept (an ended one-shot keeps its history). */
export async function ownedHistory(local: LocalSchedules, id: ScheduleId, limit: number): Promise<OwnedAnswer<HistoryPage>> {
  const outcomes = await local.outcomes(id, limit);
  if (!outcomes.owned) return outcomes;
  if (outcomes.outcomes.length > 0) return { owned: true, value: { id, items: outcomes.outcomes } };
  const found = await local.lookup(id);
  if (!found.owned) return found;
  return { owned: true, value: found.state ? { id, items: [] } : undefined };
}
