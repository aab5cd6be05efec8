import { percentileOf, percentiles, spread } from './stats';

test('nearest-rank percentiles of a known sample', () => {
  const samples = Array.from({ length: 1000 }, (_, i) => 1000 - i); // 1..1000, unsorted
  expect(percentiles(samples)).toEqual({ count: 1000, p50: 500, p99: 990, p999: 999, max: 1000 });
  expect(percentileOf([7], 99.9)).toBe(7);
  expect(percentiles([]).count).toBe(0);
});

test('spread reports the median of the runs with min and max', () => {
  expect(spread([30, 10, 20])).toEqual({ median: 20, min: 10, max: 30, runs: [30, 10, 20] });
  expect(spread([4, 1, 3, 2]).median).toBe(2);
});
