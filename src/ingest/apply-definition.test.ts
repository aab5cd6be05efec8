import type { ScheduleDefinition } from '../domain/definition';
import type { ScheduleState } from '../domain/schedule-state';
import { upsertOutcome } from './apply-definition';

const T0 = Date.UTC(2026, 0, 1);
const LATER = T0 + 3_600_000;

function definition(extra: Partial<ScheduleDefinition> = {}): ScheduleDefinition {
  return { id: 'h/n', host: 'h', name: 'n', action: 'INSERT', timing: { kind: 'frequency', periodMs: 60_000, given: { timeUnit: 'MINUTES', time: 1 } }, topic: 't', headers: {}, data: { a: 1 }, misfire: 'fire-once', ...extra };
}

/** A state in the middle of its run: 7 fired, the next one due. */
function running(def: ScheduleDefinition, offset = 5): ScheduleState {
  return { definition: def, definedAt: T0, sourceOffset: offset, nextDueAt: T0 + 7 * 60_000, fired: 7, missed: 1, lastScheduledAt: T0 + 6 * 60_000, lastFiredAt: T0 + 6 * 60_000 };
}

test('a record applied before changes nothing, whatever it holds', () => {
  expect(upsertOutcome(running(definition()), definition({ topic: 'other' }), { offset: 5, timestamp: LATER })).toEqual({ kind: 'already-applied' });
  expect(upsertOutcome(running(definition()), definition(), { offset: 4, timestamp: LATER })).toEqual({ kind: 'already-applied' });
});

test('the same definition again keeps the run: counts, next occurrence and the time it was defined; only the applied offset moves', () => {
  const previous = running(definition());
  const again = [
    definition(),
    definition({ action: 'UPDATE' }),
    // The same period written in another unit.
    definition({ timing: { kind: 'frequency', periodMs: 60_000, given: { timeUnit: 'SECONDS', time: 60 } } }),
  ];
  for (const def of again) {
    const outcome = upsertOutcome(previous, def, { offset: 9, timestamp: LATER });
    expect(outcome).toEqual({ kind: 'same-run', state: { ...previous, definition: def, sourceOffset: 9 } });
  }
});

test('a delay written again does not restart: it stays due at its first definition plus the delay', () => {
  const def = definition({ timing: { kind: 'delay', delayMs: 600_000, given: { timeUnit: 'MINUTES', time: 10 } } });
  const first = upsertOutcome(undefined, def, { offset: 0, timestamp: T0 });
  if (first.kind !== 'new-run') throw new Error(`expected a new run, got ${first.kind}`);
  const again = upsertOutcome(first.state, def, { offset: 1, timestamp: T0 + 300_000 });
  expect(again.kind === 'same-run' && again.state.nextDueAt).toBe(T0 + 600_000);
});

test('a changed definition starts a new run from the record timestamp, counts from zero', () => {
  for (const change of [{ topic: 'other' }, { data: { a: 2 } }, { limit: 3 }, { timing: { kind: 'frequency', periodMs: 3_600_000 } } as const]) {
    const outcome = upsertOutcome(running(definition()), definition(change), { offset: 9, timestamp: LATER });
    expect(outcome).toMatchObject({ kind: 'new-run', state: { definedAt: LATER, sourceOffset: 9, fired: 0, missed: 0, lastFiredAt: null } });
  }
});
