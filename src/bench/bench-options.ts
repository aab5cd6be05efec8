/** `npm run bench [-- --quick] [--runs N] [--only a,b]`: what one benchmark run measures, and how much. */

export const SCENARIOS = ['raw', 'punctual', 'at-least-once', 'bullmq', 'ingest', 'memory', 'failover', 'executor'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchOptions {
  mode: 'quick' | 'full';
  runs: number;
  only: Set<Scenario>;
  /** Records per ProducerPerformance run. */
  rawRecords: number;
  /** Offered loads whose lateness is reported (fires/s). */
  latenessRates: number[];
  /** Seconds each offered load runs. */
  loadSeconds: number;
  /** Offered loads tried upwards for the highest sustained rate, until one is overloaded. */
  rampRates: number[];
  ingestDefinitions: number;
  /** Pending schedules for memory and restart, each measured `runs` times. */
  pending: number;
  /** A larger pending count measured once for memory (full mode only). */
  largePending: number | undefined;
  /** The executor scenario: backlog drained, and the rate and seconds of its lateness load. */
  executorEvents: number;
  executorLateRate: number;
  executorLateSeconds: number;
  /** --time-rules: every Punctual schedule has a window and an exclusion calendar (always open, excluding no day of the run), so every fire goes through them. */
  timeRules: boolean;
}

const USAGE = `usage: npm run bench -- [--quick] [--time-rules] [--runs N] [--only ${SCENARIOS.join(',')}]`;

export function parseBenchOptions(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const timeRules = argv.includes('--time-rules');
  let runs = quick ? 1 : 3;
  let only = new Set<Scenario>(SCENARIOS);
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--quick' || flag === '--time-rules') continue;
    const value = argv[++i];
    if (flag === '--runs' && value !== undefined && /^[1-9]\d*$/.test(value)) runs = Number(value);
    else if (flag === '--only' && value !== undefined) {
      const names = value.split(',');
      const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
      if (unknown.length > 0) throw new Error(`--only: unknown scenario ${unknown.join(', ')}; ${USAGE}`);
      only = new Set(names as Scenario[]);
    } else throw new Error(`${flag} ${value ?? ''}: not understood; ${USAGE}`);
  }
  return quick
    ? { mode: 'quick', timeRules, runs, only, rawRecords: 300_000, latenessRates: [1_000, 10_000], loadSeconds: 3, rampRates: [1_000, 5_000, 10_000, 20_000, 30_000, 40_000], ingestDefinitions: 100_000, pending: 1_000_000, largePending: undefined, executorEvents: 50_000, executorLateRate: 1_000, executorLateSeconds: 5 }
    : {
        mode: 'full',
        timeRules,
        runs,
        only,
        rawRecords: 1_000_000,
        latenessRates: [1_000, 10_000],
        loadSeconds: 6,
        rampRates: [1_000, 2_500, 5_000, 10_000, 15_000, 20_000, 25_000, 30_000, 40_000, 50_000, 60_000],
        ingestDefinitions: 300_000,
        pending: 1_000_000,
        largePending: 10_000_000,
        executorEvents: 200_000,
        executorLateRate: 1_000,
        executorLateSeconds: 10,
      };
}
