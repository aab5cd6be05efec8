import { bestSustained, loadResult, overloaded, rampUp, type LoadResult } from './offered-load';

function load(offered: number, p99: number, received = offered): LoadResult {
  const dueAt = Array.from({ length: received }, () => 1_000);
  return loadResult('test', offered, 1, offered, 1_000, { dueAt, receivedAt: dueAt.map(() => 1_000 + p99), duplicates: 0 });
}

test('a load holds when everything arrived once within 100 ms at p99, and is overloaded past 1 s or when incomplete', () => {
  expect(load(100, 100).sustained).toBe(true);
  expect(load(100, 101).sustained).toBe(false);
  expect(overloaded(load(100, 101))).toBe(false);
  expect(overloaded(load(100, 1_001))).toBe(true);
  expect(overloaded(load(100, 5, 99))).toBe(true);
  const duplicated = loadResult('test', 1, 1, 1, 0, { dueAt: [0], receivedAt: [5], duplicates: 1 });
  expect(duplicated.sustained).toBe(false);
});

test('lateness is clamped at 0 and the achieved rate runs from the first due time to the last arrival', () => {
  const result = loadResult('test', 2, 1, 2, 1_000, { dueAt: [1_000, 1_500], receivedAt: [999, 2_000], appendedAt: [1_000, 1_600], duplicates: 0 });
  expect(result.samples).toEqual([0, 500]);
  expect(result.appendLateness?.max).toBe(100);
  expect(result.achieved).toBe(2);
});

test('the ramp goes past a miss, stops at the first overloaded load, and reuses loads already measured', async () => {
  const p99ByRate = new Map([
    [1, 50],
    [2, 150],
    [3, 80],
    [4, 2_000],
    [5, 10],
  ]);
  const ran: number[] = [];
  const known = [load(3, 80)];
  const tried = await rampUp([5, 4, 3, 2, 1], known, async (rate) => {
    ran.push(rate);
    return load(rate, p99ByRate.get(rate) ?? 0);
  });
  expect(ran).toEqual([1, 2, 4]);
  expect(tried.map((t) => t.offered)).toEqual([1, 2, 4]);
  expect(bestSustained([...known, ...tried])?.offered).toBe(3);
});
