/**
 * Control of a schedule, pure: what each control record does to the state (apply-control.ts), what
 * fires after it (fire-schedule.ts), and that a record read again changes nothing. Time is a number
 * passed in, as the task's clock gives it.
 */
import type { ScheduleDefinition } from '../domain/definition';
import { validateControl, type ControlCommand } from '../domain/schedule-control';
import { fireAtOfState, type ScheduleState } from '../domain/schedule-state';
import { controlOutcome } from '../ingest/apply-control';
import { upsertOutcome } from '../ingest/apply-definition';
import { fireDue, type FireOutcome } from './fire-schedule';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

function definition(extra: Partial<ScheduleDefinition> = {}): ScheduleDefinition {
  return { id: 'h/n', host: 'h', name: 'n', action: 'INSERT', timing: { kind: 'frequency', periodMs: MINUTE }, topic: 't', headers: {}, data: null, misfire: 'fire-once', ...extra };
}

function started(def: ScheduleDefinition = definition()): ScheduleState {
  const outcome = upsertOutcome(undefined, def, { offset: 0, timestamp: T0 });
  if (outcome.kind === 'already-applied') throw new Error('unexpected');
  return outcome.state;
}

function control(state: ScheduleState, command: ControlCommand, offset: number, at: number): ScheduleState {
  const outcome = controlOutcome(state, 'h/n', command, { offset, timestamp: at }, at);
  if (outcome.kind !== 'applied') throw new Error(`not applied: ${JSON.stringify(outcome)}`);
  return outcome.state;
}

/** Fires everything due at `now` (as the task does, again while more is due) and returns all of it. */
function fireAll(state: ScheduleState, now: number): { fired: FireOutcome[]; state: ScheduleState | null } {
  const fired: FireOutcome[] = [];
  let current: ScheduleState | null = state;
  while (current && (fireAtOfState(current) ?? Infinity) <= now) {
    const outcome = fireDue(current, now, 5_000, 10_000);
    fired.push(outcome);
    current = outcome.next;
    if (outcome.occurrences.length === 0 && outcome.extras.length === 0 && outcome.skipped === 0) break;
  }
  return { fired, state: current };
}

const scheduledOf = (fired: FireOutcome[]): number[] => fired.flatMap((f) => f.occurrences.map((o) => o.scheduledAt));

test('paused, nothing fires and nothing is indexed; on resume the occurrences that passed meet the misfire policy and are counted', () => {
  const paused = control(started(), { control: 'pause', reason: 'month-end freeze' }, 1, T0 + 30_000);
  expect(paused.paused).toEqual({ reason: 'month-end freeze', since: T0 + 30_000 });
  expect(fireAtOfState(paused)).toBeNull();
  expect(fireDue(paused, T0 + 10 * MINUTE, 5_000, 100).occurrences).toEqual([]);

  // Five occurrences came due while paused (T0 .. T0+4 min); fire-once fires the latest, four missed.
  const now = T0 + 4 * MINUTE + 10_000;
  const resumed = control(paused, { control: 'resume', reason: 'freeze over' }, 2, now);
  expect(resumed.paused).toBeUndefined();
  expect(resumed.resumed).toEqual({ at: now, reason: 'freeze over', passed: 5 });
  const { fired, state } = fireAll(resumed, now);
  expect(scheduledOf(fired)).toEqual([T0 + 4 * MINUTE]);
  expect(state).toMatchObject({ missed: 4, fired: 1, nextDueAt: T0 + 5 * MINUTE });

  // fire-all emits every one of them instead.
  const all = control(control(started(definition({ misfire: 'fire-all' })), { control: 'pause', reason: 'r' }, 1, T0), { control: 'resume' }, 2, now);
  expect(scheduledOf(fireAll(all, now).fired)).toEqual([0, 1, 2, 3, 4].map((k) => T0 + k * MINUTE));
});

test('trigger: one extra fire now with its own fire id, the regular occurrences neither moved nor renumbered; paused or not', () => {
  const state = fireAll(started(), T0).state as ScheduleState; // occurrence 1 at T0 fired
  const at = T0 + 20_000;
  const triggered = control(state, { control: 'trigger' }, 7, at);
  expect(fireAtOfState(triggered)).toBe(at);
  const outcome = fireDue(triggered, at, 5_000, 100);
  expect(outcome.occurrences).toEqual([]);
  expect(outcome.extras).toEqual([{ origin: 'trigger', scheduledAt: at, fireId: `h/n@${at}/trigger-7` }]);
  expect(outcome.next).toMatchObject({ nextDueAt: T0 + MINUTE, fired: 1, triggered: 1 });
  expect(outcome.next?.triggers).toBeUndefined();
  expect(fireDue(outcome.next as ScheduleState, T0 + MINUTE, 5_000, 100).occurrences).toEqual([{ scheduledAt: T0 + MINUTE, occurrence: 2 }]);

  const whilePaused = control(control(state, { control: 'pause', reason: 'r' }, 8, at), { control: 'trigger' }, 9, at + 1);
  expect(fireDue(whilePaused, at + 1, 5_000, 100).extras.map((e) => e.fireId)).toEqual([`h/n@${at + 1}/trigger-9`]);
});

test('skip N drops exactly the next N occurrences, counted as skipped, without pausing', () => {
  const state = control(started(), { control: 'skip', count: 3 }, 1, T0 - 1);
  expect(state.skipNext).toBe(3);
  // Fired as the time comes, minute by minute (nothing late).
  const fired: FireOutcome[] = [];
  let after: ScheduleState | null = state;
  for (let k = 0; k <= 5 && after; k++) {
    const step = fireAll(after, T0 + k * MINUTE);
    fired.push(...step.fired);
    after = step.state;
  }
  expect(scheduledOf(fired)).toEqual([3, 4, 5].map((k) => T0 + k * MINUTE));
  expect(after).toMatchObject({ skipped: 3, fired: 3 });
  expect(after?.skipNext).toBeUndefined();
  // Occurrence numbers go on from the fires: a skipped occurrence has none.
  expect(fired.flatMap((f) => f.occurrences.map((o) => o.occurrence))).toEqual([1, 2, 3]);
});

test('backfill: exactly the range occurrences, paced by the throttle, progress in the state, done at the end', () => {
  const live = started(definition({ start: T0 }));
  const now = T0 + 10 * MINUTE;
  const state = fireAll(live, now).state as ScheduleState;
  // An hour before the schedule's own start is outside it: a backfill never goes before start.
  const from = T0 - 60 * MINUTE;
  expect(control(state, { control: 'backfill', from, to: T0, perSecond: 2 }, 5, now).lastBackfill).toMatchObject({ emitted: 0, cancelled: false });

  const withoutStart = fireAll(started(), now).state as ScheduleState;
  const backfilling = control(withoutStart, { control: 'backfill', from, to: from + 5 * MINUTE, perSecond: 2 }, 5, now);
  expect(backfilling.backfill).toMatchObject({ from, next: from, emitted: 0, pacedFrom: now });
  const extrasAt = (s: ScheduleState, t: number): FireOutcome => fireDue(s, t, 5_000, 100);
  // 2 per second: one at once, the next 500 ms later.
  const first = extrasAt(backfilling, now);
  expect(first.extras).toEqual([{ origin: 'backfill', scheduledAt: from }]);
  expect(fireAtOfState(first.next as ScheduleState)).toBe(now + 500);
  const second = extrasAt(first.next as ScheduleState, now + 1_999);
  expect(second.extras.map((e) => e.scheduledAt)).toEqual([from + MINUTE, from + 2 * MINUTE, from + 3 * MINUTE]);
  expect(second.next?.backfill).toMatchObject({ emitted: 4, next: from + 4 * MINUTE });
  const last = extrasAt(second.next as ScheduleState, now + 2_000);
  expect(last.extras.map((e) => e.scheduledAt)).toEqual([from + 4 * MINUTE]);
  expect(last.next?.backfill).toBeUndefined();
  expect(last.next?.lastBackfill).toMatchObject({ emitted: 5, next: null, cancelled: false, endedAt: now + 2_000 });
  // The regular run went on untouched.
  expect(last.next).toMatchObject({ fired: withoutStart.fired, nextDueAt: withoutStart.nextDueAt });
});

test('the throttle counts from the first fire, however late it came, and from the resume after a pause', () => {
  const state = fireAll(started(), T0 + MINUTE).state as ScheduleState;
  const asked = T0 + MINUTE;
  const backfilling = control(state, { control: 'backfill', from: T0 - 10 * MINUTE, to: T0, perSecond: 4 }, 5, asked);
  // The first fire goes out 700 ms after the ask: the second waits 250 ms after it, not after the ask.
  const first = fireDue(backfilling, asked + 700, 5_000, 100).next as ScheduleState;
  expect(fireAtOfState(first)).toBe(asked + 950);
  expect(fireDue(first, asked + 949, 5_000, 100).extras).toEqual([]);
  expect(fireDue(first, asked + 950, 5_000, 100).extras).toHaveLength(1);
  // Paused for half a minute, then resumed: the next fire is due at the resume, the one after 250 ms later.
  const paused = control(first, { control: 'pause', reason: 'r' }, 6, asked + 800);
  const resumedAt = asked + 30_000;
  const resumed = control(paused, { control: 'resume' }, 7, resumedAt);
  expect(fireAtOfState(resumed)).toBe(resumedAt);
  expect(fireDue(resumed, resumedAt + 249, 5_000, 100).extras).toHaveLength(1);
});

test('a backfill is cancelled with what it emitted so far; paused, it waits', () => {
  const state = fireAll(started(), T0 + MINUTE).state as ScheduleState;
  const backfilling = control(state, { control: 'backfill', from: T0 - 10 * MINUTE, to: T0, perSecond: 1 }, 5, T0 + MINUTE);
  const once = fireDue(backfilling, T0 + MINUTE, 5_000, 100).next as ScheduleState;
  const paused = control(once, { control: 'pause', reason: 'r' }, 6, T0 + MINUTE + 5_000);
  expect(fireAtOfState(paused)).toBeNull();
  const cancelled = control(paused, { control: 'cancel-backfill' }, 7, T0 + MINUTE + 6_000);
  expect(cancelled.backfill).toBeUndefined();
  expect(cancelled.lastBackfill).toMatchObject({ emitted: 1, cancelled: true, endedAt: T0 + MINUTE + 6_000 });
});

test('a control record read again (offset at or below the applied one) changes nothing', () => {
  const triggered = control(started(), { control: 'trigger' }, 4, T0);
  expect(controlOutcome(triggered, 'h/n', { control: 'trigger' }, { offset: 4, timestamp: T0 }, T0)).toEqual({ kind: 'already-applied' });
  expect(controlOutcome(triggered, 'h/n', { control: 'skip', count: 1 }, { offset: 3, timestamp: T0 }, T0)).toEqual({ kind: 'already-applied' });
});

test('refused: a control for no schedule, a backfill of a one-shot, a second backfill', () => {
  expect(controlOutcome(undefined, 'h/n', { control: 'trigger' }, { offset: 1, timestamp: T0 }, T0)).toEqual({ kind: 'refused', field: 'key', reason: 'schedule h/n does not exist' });
  const oneShot = started(definition({ timing: { kind: 'at', at: T0 + MINUTE } }));
  expect(controlOutcome(oneShot, 'h/n', { control: 'backfill', from: T0 - MINUTE, to: T0, perSecond: 1 }, { offset: 1, timestamp: T0 }, T0)).toMatchObject({ kind: 'refused', reason: expect.stringContaining('is a one-shot') });
  const running = control(started(), { control: 'backfill', from: T0 - MINUTE, to: T0, perSecond: 1 }, 1, T0);
  expect(controlOutcome(running, 'h/n', { control: 'backfill', from: T0 - MINUTE, to: T0, perSecond: 1 }, { offset: 2, timestamp: T0 }, T0)).toMatchObject({ kind: 'refused', reason: expect.stringContaining('cancel it first') });
});

test('a new run of a changed definition stays paused and keeps its triggered fires; its skips lapse and a backfill ends cancelled', () => {
  let state = control(started(), { control: 'pause', reason: 'r' }, 1, T0);
  state = control(state, { control: 'trigger' }, 2, T0);
  state = control(state, { control: 'skip', count: 2 }, 3, T0);
  state = control(state, { control: 'backfill', from: T0 - MINUTE, to: T0, perSecond: 1 }, 4, T0);
  const changed = upsertOutcome(state, definition({ timing: { kind: 'frequency', periodMs: 2 * MINUTE } }), { offset: 5, timestamp: T0 + 1 });
  expect(changed.kind).toBe('new-run');
  const next = (changed as { state: ScheduleState }).state;
  expect(next.paused).toEqual({ reason: 'r', since: T0 });
  expect(next.triggers).toHaveLength(1);
  expect(next.skipNext).toBeUndefined();
  expect(next.backfill).toBeUndefined();
  expect(next.lastBackfill).toMatchObject({ cancelled: true });
});

test.each([
  [{ control: 'stop' }, 'control', 'is not one of pause, resume, trigger, skip, backfill, cancel-backfill'],
  [{ control: 'pause' }, 'reason', 'is required to pause'],
  [{ control: 'pause', reason: '  ' }, 'reason', 'is required to pause'],
  [{ control: 'skip' }, 'count', 'must be a whole number from 1 to 100000, got undefined'],
  [{ control: 'skip', count: 0 }, 'count', 'got 0'],
  [{ control: 'skip', count: 1.5 }, 'count', 'got 1.5'],
  [{ control: 'trigger', count: 1 }, 'count', 'is not a field of a trigger control record'],
  [{ control: 'backfill', from: 'yesterday', to: '2026-01-01T00:00:00Z', perSecond: 1 }, 'from', 'must be an ISO-8601 instant with a zone, got "yesterday"'],
  [{ control: 'backfill', from: '2026-01-01T00:00:00', to: '2026-01-01T01:00:00Z', perSecond: 1 }, 'from', 'with a zone'],
  [{ control: 'backfill', from: '2026-01-01T01:00:00Z', to: '2026-01-01T00:00:00Z', perSecond: 1 }, 'to', 'is not after from'],
  [{ control: 'backfill', from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z', perSecond: 1 }, 'to', 'is in the future'],
  [{ control: 'backfill', from: '2025-01-01T00:00:00Z', to: '2025-01-02T00:00:00Z', perSecond: 0 }, 'perSecond', 'got 0'],
  [{ control: 'backfill', from: '2025-01-01T00:00:00Z', to: '2025-01-02T00:00:00Z' }, 'perSecond', 'got undefined'],
])('%j is refused naming %s', (fields, field, reason) => {
  const result = validateControl({ host: 'h', name: 'n', ...fields }, Date.UTC(2026, 6, 1));
  expect(result).toEqual({ ok: false, field, reason: expect.stringContaining(reason) });
});

test('a host or name that is not an id part is refused naming it', () => {
  expect(validateControl({ control: 'trigger', host: 'a b', name: 'n' }, T0)).toMatchObject({ ok: false, field: 'host' });
  expect(validateControl({ control: 'trigger', host: 'h' }, T0)).toMatchObject({ ok: false, field: 'name' });
});
