import type { MisfirePolicy, ScheduleDefinition } from '../domain/definition';
import { timelineOf } from '../domain/timeline';
import { planFires } from './misfire';

const SECOND = 1_000;

function everySecond(extra: Partial<ScheduleDefinition> = {}): ScheduleDefinition {
  return { id: 'h/n', host: 'h', name: 'n', action: 'INSERT', timing: { kind: 'frequency', periodMs: SECOND }, topic: 't', headers: {}, data: null, misfire: 'fire-once', start: 0, ...extra };
}

function plan(policy: MisfirePolicy, now: number, options: { remaining?: number; maxFires?: number; nextDueAt?: number } = {}) {
  return planFires({
    timeline: timelineOf(everySecond(), 0),
    policy,
    nextDueAt: options.nextDueAt ?? 0,
    now,
    lateThresholdMs: 5 * SECOND,
    remaining: options.remaining ?? Number.POSITIVE_INFINITY,
    maxFires: options.maxFires ?? 1_000,
  });
}

test('occurrences within the late threshold all fire whatever the policy', () => {
  for (const policy of ['fire-once', 'fire-all', 'skip'] as const) {
    expect(plan(policy, 3 * SECOND, { nextDueAt: 0 })).toEqual({ fires: [0, 1_000, 2_000, 3_000], missed: 0, next: 4_000 });
  }
});

test('after an outage of 100 s, fire-all emits every missed occurrence in order', () => {
  const result = plan('fire-all', 100 * SECOND);
  expect(result.fires).toHaveLength(101);
  expect(result.fires.slice(0, 3)).toEqual([0, 1_000, 2_000]);
  expect(result).toMatchObject({ missed: 0, next: 101 * SECOND });
});

test('fire-once emits the latest missed occurrence, counts the others, then fires the recent ones', () => {
  // Late (more than 5 s): 0..94 s, 95 occurrences; within the threshold: 95..100 s.
  expect(plan('fire-once', 100 * SECOND)).toEqual({ fires: [94_000, 95_000, 96_000, 97_000, 98_000, 99_000, 100_000], missed: 94, next: 101_000 });
});

test('skip emits none of the missed occurrences and counts them all', () => {
  expect(plan('skip', 100 * SECOND)).toEqual({ fires: [95_000, 96_000, 97_000, 98_000, 99_000, 100_000], missed: 95, next: 101_000 });
});

test('a limit ends the schedule: no next occurrence once the last allowed fire is planned', () => {
  expect(plan('fire-all', 10 * SECOND, { remaining: 3 })).toEqual({ fires: [0, 1_000, 2_000], missed: 0, next: undefined });
});

test('maxFires splits a long catch-up into several plans without losing the position', () => {
  const first = plan('fire-all', 100 * SECOND, { maxFires: 10 });
  expect(first.fires).toEqual([0, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000]);
  expect(first.next).toBe(10_000);
});

test('a missed one-shot fires late under fire-once and is counted under skip', () => {
  const timeline = timelineOf({ ...everySecond(), timing: { kind: 'at', at: 0 } }, 0);
  const base = { timeline, nextDueAt: 0, now: 60 * SECOND, lateThresholdMs: 5 * SECOND, remaining: 1, maxFires: 10 };
  expect(planFires({ ...base, policy: 'fire-once' })).toEqual({ fires: [0], missed: 0, next: undefined });
  expect(planFires({ ...base, policy: 'skip' })).toEqual({ fires: [], missed: 1, next: undefined });
});

test('skipping a long cron outage counts every missed occurrence', () => {
  const definition: ScheduleDefinition = { ...everySecond(), timing: { kind: 'cron', expression: '* * * * * *', timezone: 'UTC' } };
  const result = planFires({ timeline: timelineOf(definition, 0), policy: 'skip', nextDueAt: 0, now: 30_000 * SECOND, lateThresholdMs: 0, remaining: Infinity, maxFires: 10 });
  expect(result).toEqual({ fires: [30_000 * SECOND], missed: 30_000, next: 30_001 * SECOND });
});
