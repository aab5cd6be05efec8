/** Everything one benchmark run measured, and the figures derived from it (medians over runs). */
import type { ExecutorBenchResult } from './executor-scenario';
import type { FailoverResult } from './failover-scenario';
import type { MemoryRestartResult } from './memory-restart-scenario';
import { bestSustained, type LoadResult } from './offered-load';
import type { CeilingResult } from './raw-ceiling';
import { spread, type Spread } from './stats';

/** One system's offered loads: every run's loads, in the order they ran. */
export interface SystemLoads {
  label: string;
  runs: LoadResult[][];
}

export interface BenchResults {
  mode: 'quick' | 'full';
  runs: number;
  startedAt: Date;
  durationMs: number;
  machine: Record<string, string>;
  latenessRates: number[];
  raw: Map<number, CeilingResult[]>;
  systems: Map<'punctual' | 'at-least-once' | 'bullmq', SystemLoads>;
  ingest: number[];
  memory: MemoryRestartResult[];
  largeMemory?: MemoryRestartResult;
  failover: FailoverResult[];
  executor: ExecutorBenchResult[];
}

/** Highest sustained rate of each run (0 when no offered load held). */
export function sustainedRates(loads: SystemLoads): Spread {
  return spread(loads.runs.map((run) => bestSustained(run)?.achieved ?? 0));
}

/** The loads at `rate`, one per run. */
export function loadsAt(loads: SystemLoads, rate: number): LoadResult[] {
  return loads.runs.flatMap((run) => run.filter((load) => load.offered === rate).slice(0, 1));
}

export function rawSpread(results: BenchResults, recordSize: number): Spread | undefined {
  const runs = results.raw.get(recordSize);
  return runs && runs.length > 0 ? spread(runs.map((r) => r.recordsPerSecond)) : undefined;
}
