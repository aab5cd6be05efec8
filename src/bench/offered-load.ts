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
  // A loop, not Math.max(...): spreading 100k+ arguments overflows the stack.
  const lastArrival = arrivals.receivedAt.reduce((latest, at) => (at > latest ? at : latest), firstDueAt + 1);
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

/** Far past sustained: not everything arrived in time, or p99 lateness passed this. Higher loads are not tried. */
export const OVERLOADED_P99_MS = 1_000;

export function overloaded(result: LoadResult): boolean {
  return result.received < result.expected || result.lateness.p99 > OVERLOADED_P99_MS;
}

/**
 * Offered loads upwards along `grid` for the highest sustained rate. Lateness near the limit is noisy
 * (BullMQ's p99 sits close to 100 ms at every rate), so one miss does not end the search: it goes on
 * until a load is overloaded. Rates in `known` (already measured) are not run again.
 */
export async function rampUp(grid: number[], known: LoadResult[], run: (rate: number) => Promise<LoadResult>): Promise<LoadResult[]> {
  const tried: LoadResult[] = [];
  for (const rate of [...grid].sort((a, b) => a - b)) {
    const result = known.find((load) => load.offered === rate) ?? (await run(rate));
    if (!known.includes(result)) tried.push(result);
    if (overloaded(result)) break;
  }
  return tried;
}

/** The best sustained load among `results` (achieved rate), or undefined when none held. */
export function bestSustained(results: LoadResult[]): LoadResult | undefined {
  return results.filter((r) => r.sustained).sort((a, b) => b.offered - a.offered)[0];
}
