import type { ScheduleDefinition } from './definition';
import { fireAtOf, jitterMs } from './jitter';

const T0 = Date.UTC(2026, 11, 1);

test('the jitter of an occurrence depends on its fire id alone: the same on every call', () => {
  const first = jitterMs('h/n', T0, 60_000);
  expect(jitterMs('h/n', T0, 60_000)).toBe(first);
  // Another occurrence or another schedule gets its own (these two differ; a collision would be 1 in 60001).
  expect([jitterMs('h/n', T0 + 1_000, 60_000), jitterMs('h/other', T0, 60_000)]).not.toEqual([first, first]);
});

test('delays stay within [0, maxMs] and spread over the whole range', () => {
  const delays = Array.from({ length: 20_000 }, (_, k) => jitterMs('h/n', T0 + k * 60_000, 1_000));
  expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...delays)).toBeLessThanOrEqual(1_000);
  // Ten bins of 100 ms: each holds close to a tenth (2000 +- 5 sigma).
  const bins = Array.from({ length: 10 }, (_, bin) => delays.filter((d) => Math.min(9, Math.floor(d / 100)) === bin).length);
  for (const count of bins) expect(Math.abs(count - 2_000)).toBeLessThan(220);
});

test('fireAtOf adds the jitter only to a schedule that has one', () => {
  const definition: ScheduleDefinition = { id: 'h/n', host: 'h', name: 'n', action: 'INSERT', timing: { kind: 'at', at: T0 }, topic: 't', headers: {}, data: null, misfire: 'fire-once' };
  expect(fireAtOf(definition, T0)).toBe(T0);
  expect(fireAtOf({ ...definition, jitter: { maxMs: 5_000 } }, T0)).toBe(T0 + jitterMs('h/n', T0, 5_000));
  expect(fireAtOf({ ...definition, jitter: { maxMs: 0 } }, T0)).toBe(T0);
});
