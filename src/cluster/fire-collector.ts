/** The fires of one transaction: due schedules taken off the wake list, with the states they lead to. */
import type { CalendarLookup } from '../domain/calendar';
import type { ScheduleId } from '../domain/definition';
import { executionEvent } from '../domain/execution-event';
import { fireAtOfState, type ScheduleState } from '../domain/schedule-state';
import { fireDue } from '../firing/fire-schedule';
import type { MinHeap } from '../firing/min-heap';
import type { OutgoingRecord } from '../kafka/port';
import type { Logger } from '../log/logger';
import type { StateLookup } from './pending-states';

/** Fires per transaction; more due fires follow in the next one straight away. */
export const MAX_FIRES_PER_TRANSACTION = 2_000;

/** The fires of one transaction, not yet committed. */
export interface FireBatch {
  events: OutgoingRecord[];
  scheduledAts: number[];
  changes: Map<ScheduleId, ScheduleState | null>;
  missed: number;
  skipped: number;
  /** Fires outside the regular run, by origin (their scheduled times are not in scheduledAts: no lateness). */
  extras: { trigger: number; backfill: number };
  moreDue: boolean;
}

export interface FireCollection {
  wakeList: MinHeap<ScheduleId>;
  /** The states of the due ids as applied (pending first, then the store). */
  statesOf(ids: ScheduleId[]): Promise<StateLookup>;
  misfireThresholdMs: number;
  logger: Logger;
  calendars?: CalendarLookup;
}

/** Pops what is due at `now` from the wake list and computes its fires. */
export async function collectFires({ wakeList, statesOf, misfireThresholdMs, logger, calendars }: FireCollection, now: number): Promise<FireBatch> {
  const events: OutgoingRecord[] = [];
  const scheduledAts: number[] = [];
  const changes = new Map<ScheduleId, ScheduleState | null>();
  let missed = 0;
  let skipped = 0;
  const extras = { trigger: 0, backfill: 0 };
  let moreDue = false;
  // Take the due ids off the wake list first, so their states come from the store in one read.
  const due: { id: ScheduleId; dueAt: number }[] = [];
  const taken = new Set<ScheduleId>();
  while ((wakeList.peekKey() ?? Infinity) <= now && due.length < MAX_FIRES_PER_TRANSACTION) {
    const dueAt = wakeList.peekKey() as number;
    const id = wakeList.pop() as ScheduleId;
    if (taken.has(id)) continue;
    taken.add(id);
    due.push({ id, dueAt });
  }
  const stateOf = await statesOf(due.map((entry) => entry.id));
  for (const [index, { id }] of due.entries()) {
    if (events.length >= MAX_FIRES_PER_TRANSACTION) {
      // Not fired in this transaction: back on the wake list for the next one.
      for (const rest of due.slice(index)) wakeList.push(rest.dueAt, rest.id);
      moreDue = true;
      break;
    }
    const state = stateOf(id);
    // A stale entry: the schedule was deleted, replaced or already fired since it was listed.
    const fireAt = state ? fireAtOfState(state) : null;
    if (!state || fireAt === null || fireAt > now) continue;
    const outcome = fireDue(state, now, misfireThresholdMs, MAX_FIRES_PER_TRANSACTION - events.length, calendars);
    for (const occurrence of outcome.occurrences) {
      const event = executionEvent(state.definition, occurrence, now);
      events.push({ topic: state.definition.topic, key: event.key, value: event.value, headers: event.headers });
      scheduledAts.push(occurrence.scheduledAt);
    }
    for (const extra of outcome.extras) {
      const event = executionEvent(state.definition, { scheduledAt: extra.scheduledAt, occurrence: 0 }, now, { origin: extra.origin, ...(extra.fireId ? { fireId: extra.fireId } : {}) });
      events.push({ topic: state.definition.topic, key: event.key, value: event.value, headers: event.headers });
      extras[extra.origin]++;
    }
    changes.set(id, outcome.next);
    missed += outcome.missed;
    skipped += outcome.skipped;
    if (outcome.missed > 0) logger.info('occurrences missed', { id, missed: outcome.missed, policy: state.definition.misfire });
    const nextFireAt = outcome.next ? fireAtOfState(outcome.next) : null;
    if (nextFireAt !== null && nextFireAt <= now) moreDue = true;
  }
  if ((wakeList.peekKey() ?? Infinity) <= now) moreDue = true;
  return { events, scheduledAts, changes, missed, skipped, extras, moreDue };
}
