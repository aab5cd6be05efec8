/** Summaries the benchmark reports: latency percentiles of one run, and median/min/max over runs. */

export interface Percentiles {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Nearest-rank percentile of ascending `sorted` (q in 0..100). */
export function percentileOf(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  // The epsilon keeps float error (0.999 * 1000 = 999.0000000000001) from moving up a rank.
  const rank = Math.ceil((q / 100) * sorted.length - 1e-9);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = Float64Array.from(samples).sort();
  const list = Array.from(sorted);
  return { count: list.length, p50: percentileOf(list, 50), p99: percentileOf(list, 99), p999: percentileOf(list, 99.9), max: list[list.length - 1] ?? NaN };
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

/** Median (the lower middle for an even count), min and max of one figure over several runs. */
export function spread(runs: readonly number[]): Spread {
  const sorted = [...runs].sort((a, b) => a - b);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, runs: [...runs] };
}
