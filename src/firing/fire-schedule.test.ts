import type { ScheduleDefinition } from '../domain/definition';
import { upsertOutcome } from '../ingest/apply-definition';
import type { ScheduleState } from '../domain/schedule-state';
import { fireDue } from './fire-schedule';

const T0 = Date.UTC(2026, 0, 1);

function definition(extra: Partial<ScheduleDefinition> = {}): ScheduleDefinition {
  return { id: 'h/n', host: 'h', name: 'n', action: 'INSERT', timing: { kind: 'frequency', periodMs: 1_000 }, topic: 't', headers: {}, data: null, misfire: 'fire-once', ...extra };
}

function upsert(def: ScheduleDefinition, offset = 0, previous?: ScheduleState): ScheduleState {
  const outcome = upsertOutcome(previous, def, { offset, timestamp: T0 });
  if (outcome.kind === 'already-applied') throw new Error('unexpectedly already applied');
  return outcome.state;
}

test('an upsert computes the first occurrence from the record timestamp', () => {
  expect(upsert(definition()).nextDueAt).toBe(T0);
  expect(upsert(definition({ timing: { kind: 'delay', delayMs: 250 } })).nextDueAt).toBe(T0 + 250);
});

test('firing advances the state and numbers occurrences from 1', () => {
  const state = upsert(definition());
  const first = fireDue(state, T0 + 2_000, 5_000, 100);
  expect(first.occurrences).toEqual([
    { scheduledAt: T0, occurrence: 1 },
    { scheduledAt: T0 + 1_000, occurrence: 2 },
    { scheduledAt: T0 + 2_000, occurrence: 3 },
  ]);
  expect(first.next).toMatchObject({ nextDueAt: T0 + 3_000, fired: 3, lastScheduledAt: T0 + 2_000, lastFiredAt: T0 + 2_000 });
});

test('a limit finishes the schedule after its last occurrence', () => {
  const outcome = fireDue(upsert(definition({ limit: 2 })), T0 + 10_000, 60_000, 100);
  expect(outcome.occurrences.map((o) => o.occurrence)).toEqual([1, 2]);
  expect(outcome.next).toBeNull();
});

test('a one-shot is finished once fired', () => {
  const outcome = fireDue(upsert(definition({ timing: { kind: 'at', at: T0 } })), T0, 5_000, 100);
  expect(outcome.occurrences).toEqual([{ scheduledAt: T0, occurrence: 1 }]);
  expect(outcome.next).toBeNull();
});

test('missed occurrences are counted in the state', () => {
  const outcome = fireDue(upsert(definition({ misfire: 'skip' })), T0 + 60_000, 5_000, 100);
  expect(outcome.missed).toBe(55);
  expect(outcome.next).toMatchObject({ missed: 55, fired: 6 });
});
