/**
 * One offered load: `rate` occurrences per second, evenly spread, for `seconds`. Both Punctual and
 * BullMQ runs end in a LoadResult, judged the same way: sustained means every occurrence arrived once
 * and p99 lateness stayed within SUSTAINED_P99_MS.
 */
import { percentiles, type Percentiles } from './stats';

export const SUSTAINED_P99_MS = 100;

export interface LoadResult {
  system: string;
  offered: number;
  seconds: number;
  expected: number;
  received: number;
  duplicates: number;
  /** Occurrences received per second, from the first due time to the last arrival. */
  achieved: number;
  lateness: Percentiles;
  /** Broker append time minus due time (Punctual only: its target topics use LogAppendTime). */
  appendLateness?: Percentiles;
  /** Every lateness sample (ms), for the distribution picture. */
  samples: number[];
  sustained: boolean;
}

export interface Arrivals {
  dueAt: readonly number[];
  receivedAt: readonly number[];
  appendedAt?: readonly number[];
  duplicates: number;
}

export function loadResult(system: string, offered: number, seconds: number, expected: number, firstDueAt: number, arrivals: Arrivals): LoadResult {
  const samples = arrivals.receivedAt.map((received, i) => Math.max(0, received - (arrivals.dueAt[i] as number)));
  const lateness = percentiles(samples);
  const lastArrival = Math.max(firstDueAt + 1, ...arrivals.receivedAt);
  const received = arrivals.receivedAt.length;
  const appended = arrivals.appendedAt;
  return {
    system,
    offered,
    seconds,
    expected,
    received,
    duplicates: arrivals.duplicates,
    achieved: Math.round(received / ((lastArrival - firstDueAt) / 1000)),
    lateness,
    ...(appended ? { appendLateness: percentiles(appended.map((at, i) => Math.max(0, at - (arrivals.dueAt[i] as number)))) } : {}),
    samples,
    sustained: received === expected && arrivals.duplicates === 0 && lateness.p99 <= SUSTAINED_P99_MS,
  };
}

/**
 * The highest sustained rate: tries the rates of `grid` between the highest known pass and the lowest
 * known miss, upwards, stopping at the first miss. `known` are loads already measured.
 */
export async function highestSustained(grid: number[], known: LoadResult[], run: (rate: number) => Promise<LoadResult>): Promise<LoadResult[]> {
  let passed = Math.max(0, ...known.filter((r) => r.sustained).map((r) => r.offered));
  const missed = Math.min(Infinity, ...known.filter((r) => !r.sustained).map((r) => r.offered));
  const tried: LoadResult[] = [];
  for (const rate of [...grid].sort((a, b) => a - b)) {
    if (rate <= passed || rate >= missed) continue;
    const result = await run(rate);
    tried.push(result);
    if (!result.sustained) break;
    passed = rate;
  }
  return tried;
}

/** The best sustained load among `results` (achieved rate), or undefined when none held. */
export function bestSustained(results: LoadResult[]): LoadResult | undefined {
  return results.filter((r) => r.sustained).sort((a, b) => b.offered - a.offered)[0];
}
