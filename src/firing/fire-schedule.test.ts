import type { ScheduleDefinition } from '../domain/definition';
import { upsertOutcome } from '../ingest/apply-definition';
import type { ScheduleState } from '../domain/schedule-state';
import { jitterMs } from '../domain/jitter';
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

test('with jitter an occurrence fires only once its own delay is over, and holds back the ones after it', () => {
  const state = upsert(definition({ jitter: { maxMs: 5_000 } }));
  const fireAt = (k: number): number => T0 + k * 1_000 + jitterMs('h/n', T0 + k * 1_000, 5_000);
  expect(fireDue(state, fireAt(0) - 1, 60_000, 100).occurrences).toEqual([]);
  const now = fireAt(0);
  // In order: the leading occurrences whose own fire instant has passed, none after one that has not.
  let due = 0;
  while (fireAt(due) <= now) due++;
  const fired = fireDue(state, now, 60_000, 100);
  expect(fired.occurrences.map((o) => o.scheduledAt)).toEqual(Array.from({ length: due }, (_, k) => T0 + k * 1_000));
  expect(fired.next?.nextDueAt).toBe(T0 + due * 1_000);
});

test('occurrences that windows drop are counted in the state', () => {
  // Every second, fired only in the first minute of each day (UTC): the rest of the day folds into the next opening.
  const windowed = definition({ windows: [{ days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], from: '00:00', to: '00:01' }] });
  const state = upsert(windowed);
  const outcome = fireDue(state, T0 + 59_000, 60_000, 100);
  expect(outcome.occurrences).toHaveLength(60);
  // 00:01:00 to 24:00:00 fold into the next day's opening: (86400 - 60) occurrences, one of them fires.
  expect(outcome.next).toMatchObject({ nextDueAt: T0 + 86_400_000, skipped: 86_400 - 60 });
  expect(outcome.skipped).toBe(86_400 - 60);
});
