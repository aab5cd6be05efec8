import type { Calendar } from '../domain/calendar';
import type { ScheduleDefinition } from '../domain/definition';
import type { ScheduleState } from '../domain/schedule-state';
import { upsertOutcome } from '../ingest/apply-definition';
import { fireDue } from './fire-schedule';
import { reevaluated } from './reevaluate';

const utc = (iso: string): number => Date.parse(iso);
// 09:00 New York every day; 2026-12-24 is a Thursday.
const daily: ScheduleDefinition = { id: 'h/n', host: 'h', name: 'n', action: 'INSERT', timing: { kind: 'cron', expression: '0 9 * * *', timezone: 'America/New_York' }, topic: 't', headers: {}, data: null, misfire: 'fire-once', exclude: ['holidays'] };

function stateWith(calendar: Calendar | undefined, definedAt: number): ScheduleState {
  const outcome = upsertOutcome(undefined, daily, { offset: 0, timestamp: definedAt }, () => calendar);
  if (outcome.kind !== 'new-run') throw new Error('expected a new run');
  return outcome.state;
}

const christmas: Calendar = { name: 'holidays', dates: ['2026-12-25'] };
const none: Calendar = { name: 'holidays' };

test('a day newly excluded moves the next occurrence past it', () => {
  const state = stateWith(none, utc('2026-12-24T20:00:00Z'));
  expect(state.nextDueAt).toBe(utc('2026-12-25T14:00:00Z'));
  const after = reevaluated(state, () => christmas, utc('2026-12-24T21:00:00Z'));
  expect(after.nextDueAt).toBe(utc('2026-12-26T14:00:00Z'));
  expect(after.skipped).toBe(1);
});

test('a day no longer excluded brings its occurrence back, but only one not yet in the past', () => {
  const state = stateWith(christmas, utc('2026-12-24T20:00:00Z'));
  expect(state.nextDueAt).toBe(utc('2026-12-26T14:00:00Z'));
  expect(reevaluated(state, () => none, utc('2026-12-24T21:00:00Z')).nextDueAt).toBe(utc('2026-12-25T14:00:00Z'));
  // Changed after 25 December 09:00 had passed: the occurrence that was never due stays gone.
  expect(reevaluated(state, () => none, utc('2026-12-25T15:00:00Z')).nextDueAt).toBe(utc('2026-12-26T14:00:00Z'));
});

test('after fires, the walk starts after the last one fired', () => {
  const fired = fireDue(stateWith(none, utc('2026-12-22T20:00:00Z')), utc('2026-12-23T14:00:00Z'), 60_000, 10).next as ScheduleState;
  expect(fired.lastScheduledAt).toBe(utc('2026-12-23T14:00:00Z'));
  const later = { ...fired, nextDueAt: utc('2026-12-26T14:00:00Z') };
  // As if the 24th and 25th had been excluded; without them, the 24th is next.
  expect(reevaluated(later, () => none, utc('2026-12-23T15:00:00Z')).nextDueAt).toBe(utc('2026-12-24T14:00:00Z'));
});

test('an unchanged answer keeps the state as it was', () => {
  const state = stateWith(christmas, utc('2026-12-24T20:00:00Z'));
  expect(reevaluated(state, () => christmas, utc('2026-12-24T21:00:00Z'))).toBe(state);
});
