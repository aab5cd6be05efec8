/** The results file (markdown) and its picture (SVG) of one benchmark run, and the ratios printed. */
import { loadsAt, rawSpread, sustainedRates, type BenchResults, type SystemLoads } from './bench-results';
import { mb } from './memory-restart-scenario';
import { SUSTAINED_P99_MS } from './offered-load';
import { percentileOf, spread, type Spread } from './stats';
import { svgDocument, type ChartSpec, type Series } from './svg-chart';

const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const cell = (s: Spread | undefined, digits = 0, unit = ''): string =>
  s === undefined || s.runs.length === 0 ? 'not measured' : s.runs.length === 1 ? `${fmt(s.median, digits)}${unit}` : `${fmt(s.median, digits)}${unit} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;

export const TARGETS = {
  throughputVsBullmq: 3,
  throughputVsRaw: 0.25,
  p99At1k: 10,
  p99At10k: 50,
  ingest: 50_000,
  bytesPerPending: 100,
  restartMs: 5_000,
  exactlyOnceCost: 0.1,
  executorVsBullmq: 1,
};

export interface Headline {
  label: string;
  value: string;
  target: string;
  met: boolean | undefined;
}

/** The figures the issue sets targets for, each with its target and whether it is met. */
export function headlines(results: BenchResults): Headline[] {
  const punctual = results.systems.get('punctual');
  const alo = results.systems.get('at-least-once');
  const bullmq = results.systems.get('bullmq');
  const p = punctual ? sustainedRates(punctual).median : NaN;
  const b = bullmq ? sustainedRates(bullmq).median : NaN;
  const a = alo ? sustainedRates(alo).median : NaN;
  const raw100 = rawSpread(results, 100)?.median ?? NaN;
  const p99 = (rate: number): number => (punctual ? spread(loadsAt(punctual, rate).map((l) => l.lateness.p99)).median : NaN);
  const memory = results.memory.length > 0 ? spread(results.memory.map((m) => m.bytesPerPending)).median : NaN;
  const restartedMemory = results.memory.length > 0 ? spread(results.memory.map((m) => m.restartedBytesPerPending)).median : NaN;
  const restart = results.memory.length > 0 ? spread(results.memory.map((m) => m.restartMs)).median : NaN;
  const ingest = results.ingest.length > 0 ? spread(results.ingest).median : NaN;
  const cost = 1 - p / a;
  const executorRatio = results.executor.length > 0 ? spread(results.executor.map((e) => e.punctualPerSecond / e.bullmqPerSecond)).median : NaN;
  const judge = (value: number, ok: (v: number) => boolean): boolean | undefined => (Number.isFinite(value) ? ok(value) : undefined);
  return [
    { label: 'fire throughput, Punctual / BullMQ', value: `${fmt(p / b, 2)}x`, target: `≥ ${TARGETS.throughputVsBullmq}x`, met: judge(p / b, (v) => v >= TARGETS.throughputVsBullmq) },
    { label: 'fire throughput, Punctual / raw ceiling (100 B)', value: `${fmt((100 * p) / raw100, 1)}%`, target: `≥ ${TARGETS.throughputVsRaw * 100}%`, met: judge(p / raw100, (v) => v >= TARGETS.throughputVsRaw) },
    { label: 'lateness p99 at 1k/s', value: `${fmt(p99(1_000))} ms`, target: `≤ ${TARGETS.p99At1k} ms`, met: judge(p99(1_000), (v) => v <= TARGETS.p99At1k) },
    { label: 'lateness p99 at 10k/s', value: `${fmt(p99(10_000))} ms`, target: `≤ ${TARGETS.p99At10k} ms`, met: judge(p99(10_000), (v) => v <= TARGETS.p99At10k) },
    { label: 'ingest', value: `${fmt(ingest)} definitions/s`, target: `≥ ${fmt(TARGETS.ingest)}/s`, met: judge(ingest, (v) => v >= TARGETS.ingest) },
    { label: 'resident memory per pending schedule (1M), right after ingesting them', value: `${fmt(memory)} B`, target: `≤ ${TARGETS.bytesPerPending} B`, met: judge(memory, (v) => v <= TARGETS.bytesPerPending) },
    { label: 'resident memory per pending schedule (1M), the node restarted', value: `${fmt(restartedMemory)} B`, target: `≤ ${TARGETS.bytesPerPending} B`, met: judge(restartedMemory, (v) => v <= TARGETS.bytesPerPending) },
    { label: 'restart to first fire (1M pending)', value: `${fmt(restart)} ms`, target: `≤ ${fmt(TARGETS.restartMs)} ms`, met: judge(restart, (v) => v <= TARGETS.restartMs) },
    { label: 'executor events handled per second, Punctual executor / BullMQ worker (concurrency 100)', value: `${fmt(executorRatio, 2)}x`, target: `≥ ${TARGETS.executorVsBullmq}x`, met: judge(executorRatio, (v) => v >= TARGETS.executorVsBullmq) },
    { label: 'exactly-once cost (sustained throughput)', value: `${fmt(cost * 100, 1)}%`, target: `≤ ${TARGETS.exactlyOnceCost * 100}%`, met: judge(cost, (v) => v <= TARGETS.exactlyOnceCost) },
  ];
}

function loadTable(loads: SystemLoads, rates: number[]): string[] {
  const lines = [
    `| offered | runs | achieved fires/s | p50 ms | p99 ms | p99.9 ms | max ms | append p99 ms | received / expected | duplicates |`,
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const offered = [...new Set(loads.runs.flat().map((l) => l.offered))].sort((a, b) => a - b);
  for (const rate of offered) {
    const at = loadsAt(loads, rate);
    const s = (pick: (l: (typeof at)[number]) => number): Spread => spread(at.map(pick));
    const append = at.every((l) => l.appendLateness) ? cell(s((l) => l.appendLateness?.p99 ?? NaN)) : '–';
    const mark = rates.includes(rate) ? ' (lateness load)' : '';
    lines.push(
      `| ${fmt(rate)}/s${mark} | ${at.length} | ${cell(s((l) => l.achieved))} | ${cell(s((l) => l.lateness.p50))} | ${cell(s((l) => l.lateness.p99))} | ${cell(s((l) => l.lateness.p999))} | ${cell(s((l) => l.lateness.max))} | ${append} | ${at.map((l) => `${l.received}/${l.expected}`).join(', ')} | ${at.map((l) => l.duplicates).join(', ')} |`,
    );
  }
  return lines;
}

export function markdownReport(results: BenchResults): string {
  const lines: string[] = [];
  lines.push(`# Punctual benchmark, ${results.mode} mode, ${results.startedAt.toISOString().slice(0, 10)}`, '');
  lines.push(`Produced by \`npm run bench${results.mode === 'quick' ? ' -- --quick' : ''}\` in ${fmt(results.durationMs / 60_000, 1)} minutes. Every figure is the median of ${results.runs} run(s) with (min–max) where there were several; the 10M-pending memory figure is one run.`, '');
  lines.push('## Machine', '', ...Object.entries(results.machine).map(([k, v]) => `- ${k}: ${v}`), '');
  lines.push('## Against the targets', '', '| figure | measured | target | met |', '|---|---|---|---|');
  for (const h of headlines(results)) lines.push(`| ${h.label} | ${h.value} | ${h.target} | ${h.met === undefined ? 'not measured' : h.met ? 'yes' : '**no**'} |`);
  lines.push('');
  lines.push('## Raw broker ceiling (Kafka ProducerPerformance, acks=all, 12 partitions)', '', '| record size | records/s |', '|---|---|');
  for (const size of [...results.raw.keys()]) lines.push(`| ${size} B | ${cell(rawSpread(results, size))} |`);
  lines.push('');
  const names: Record<string, string> = {
    punctual: 'Punctual (exactly-once, the default)',
    'at-least-once': 'Punctual in the at-least-once comparison mode',
    bullmq: 'BullMQ delayed jobs (worker in a second process)',
  };
  for (const [key, loads] of results.systems) {
    lines.push(`## ${names[key]}`, '', `Highest sustained rate (every occurrence once, p99 ≤ ${SUSTAINED_P99_MS} ms): **${cell(sustainedRates(loads))} fires/s**.`, '');
    lines.push(...loadTable(loads, results.latenessRates), '');
  }
  const eos = results.systems.get('punctual');
  const alo = results.systems.get('at-least-once');
  if (eos && alo) {
    const p99At = (loads: SystemLoads, rate: number): string => cell(spread(loadsAt(loads, rate).map((l) => l.lateness.p99)), 0, ' ms');
    lines.push('## Exactly-once cost', '', '| | exactly-once (transactions) | at-least-once mode |', '|---|---|---|');
    lines.push(`| highest sustained rate, fires/s | ${cell(sustainedRates(eos))} | ${cell(sustainedRates(alo))} |`);
    for (const rate of results.latenessRates) lines.push(`| p99 lateness at ${fmt(rate)}/s | ${p99At(eos, rate)} | ${p99At(alo, rate)} |`);
    lines.push('');
  }
  if (results.ingest.length > 0) lines.push('## Ingest', '', `Definitions applied with offsets committed, from the node's ready line: **${cell(spread(results.ingest))}/s**.`, '');
  if (results.memory.length > 0) {
    lines.push(
      '## Memory and restart',
      '',
      'Bytes per pending = (RSS − RSS of the same node empty) / pending. Right after ingest the V8 heap and the allocator keep what ingesting needed; the restarted node holds the same schedules.',
      '',
      '| pending | empty node RSS | RSS after ingest | bytes per pending | RSS restarted | bytes per pending | restart to first fire | duplicates |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const m of [...results.memory, ...(results.largeMemory ? [results.largeMemory] : [])]) {
      lines.push(`| ${fmt(m.pending)} | ${mb(m.baselineRss)} | ${mb(m.rss)} | ${fmt(m.bytesPerPending, 1)} | ${mb(m.restartedRss)} | ${fmt(m.restartedBytesPerPending, 1)} | ${fmt(m.restartMs)} ms | ${m.duplicates} |`);
    }
    lines.push('');
  }
  if (results.failover.length > 0) {
    const session = results.failover[0]?.sessionTimeoutMs ?? 0;
    lines.push('## Failover', '', `Two nodes, 100 schedules every 100 ms, one node killed with SIGKILL; session timeout ${fmt(session)} ms. Longest silence of a schedule minus its period: **${cell(spread(results.failover.map((f) => f.failoverMs)), 0, ' ms')}**; duplicates: ${results.failover.map((f) => f.duplicates).join(', ')}.`, '');
  }
  if (results.executor.length > 0) {
    const of = (pick: (e: (typeof results.executor)[number]) => number, digits = 0, unit = ''): string => cell(spread(results.executor.map(pick)), digits, unit);
    const first = results.executor[0];
    lines.push(
      '## Executor against a BullMQ worker',
      '',
      `No-op handlers, concurrency 100, each in its own process. Backlog of ${fmt(first?.events ?? 0)} events; lateness at ${fmt(first?.lateRate ?? 0)} fires/s.`,
      '',
      '| | Punctual executor (status recorded, exactly one outcome per attempt) | BullMQ worker |',
      '|---|---|---|',
      `| events handled per second, backlog | ${of((e) => e.punctualPerSecond)} | ${of((e) => e.bullmqPerSecond)} |`,
      `| due-to-handler lateness p50 | ${of((e) => e.punctualLateness.p50, 0, ' ms')} | ${of((e) => e.bullmqLateness.p50, 0, ' ms')} |`,
      `| due-to-handler lateness p99 | ${of((e) => e.punctualLateness.p99, 0, ' ms')} | ${of((e) => e.bullmqLateness.p99, 0, ' ms')} |`,
      `| due to a plain read_committed reader of the topic, p50 / p99 | ${of((e) => e.punctualDueToReader.p50, 0, ' ms')} / ${of((e) => e.punctualDueToReader.p99, 0, ' ms')} | – |`,
      `| the node's send to the handler, p50 / p99 | ${of((e) => e.punctualFiredToHandler.p50, 0, ' ms')} / ${of((e) => e.punctualFiredToHandler.p99, 0, ' ms')} | – |`,
      `| due-to-handler lateness max | ${of((e) => e.punctualLateness.max, 0, ' ms')} | ${of((e) => e.bullmqLateness.max, 0, ' ms')} |`,
      '',
    );
  }
  lines.push('## How each figure is taken', '');
  lines.push(
    '- Lateness: a read_committed kafkajs consumer in the benchmark process notes when each execution event arrives, minus its due time (clamped at 0). Append lateness: the target topic uses LogAppendTime; the broker append time minus the due time. BullMQ: the worker (second process, concurrency 100) seeing the job minus its due time.',
    '- Offered load: `rate` frequency schedules every 1 s, starts spread evenly over the first second, misfire fire-all (an overloaded node shows as lateness, never as fewer fires); BullMQ gets `rate` delayed jobs per second, all added before the first is due. Unmeasured warm-up loads at the lateness rates come before the first run; every run of a system uses the same node (or Redis) and broker. Sustained: every occurrence arrived once and p99 lateness ≤ 100 ms.',
    '- Highest sustained rate: offered loads tried upwards until one is overloaded (not every occurrence arrived within 10 s of the end, or p99 above 1 s); the figure is the achieved rate of the highest load that held.',
    '- Exactly-once cost: 1 − (Punctual sustained rate / at-least-once mode sustained rate), the same engine with PUNCTUAL_DELIVERY=at-least-once (no transactions; acks=all sends, offsets committed by the consumer).',
    '- Memory: resident set size (/proc VmRSS) of the node process, idle, minus that of the same node empty; one-shots spread over 30 days.',
    '- Executor: throughput is a backlog drained, from the first handler call to the moment the group\'s committed offsets (committed in the transactions that record the statuses) cover every event; BullMQ\'s is jobs due now drained, from the first to the last job its worker saw. Lateness: one-shots fired by a Punctual node and run by the executor (handler start minus due time), against BullMQ delayed jobs (worker start minus due time).',
    '- Restart: graceful stop, then process spawn to the first fire of a 100 ms marker schedule received by the reader (checkpoint path: the data folder is kept).',
    '',
  );
  return lines.join('\n');
}

const COLORS = { punctual: '#1f77b4', 'at-least-once': '#2ca02c', bullmq: '#d62728' } as const;
const QUANTILES = [50, 90, 99, 99.9, 100];

export function pictureOf(results: BenchResults): string {
  const latenessSeries: Series[] = [];
  for (const key of ['punctual', 'bullmq'] as const) {
    const loads = results.systems.get(key);
    if (!loads) continue;
    results.latenessRates.forEach((rate, i) => {
      const samples = loadsAt(loads, rate).flatMap((l) => l.samples).sort((a, b) => a - b);
      if (samples.length === 0) return;
      latenessSeries.push({
        label: `${loads.label} ${fmt(rate)}/s`,
        color: COLORS[key],
        dashed: i > 0,
        points: QUANTILES.map((q, x) => [x, percentileOf(samples, q)]),
      });
    });
  }
  const throughputSeries: Series[] = [...results.systems].map(([key, loads]) => {
    const byRate = new Map<number, number[]>();
    for (const load of loads.runs.flat()) byRate.set(load.offered, [...(byRate.get(load.offered) ?? []), load.achieved]);
    const points = [...byRate].sort((a, b) => a[0] - b[0]).map(([rate, achieved]): [number, number] => [rate, spread(achieved).median]);
    return { label: loads.label, color: COLORS[key], points };
  });
  const maxRate = Math.max(1, ...throughputSeries.flatMap((s) => s.points.map((p) => p[0])));
  throughputSeries.push({ label: 'offered (ideal)', color: '#999', dashed: true, points: [[0, 0], [maxRate, maxRate]] });
  const rateTicks = niceTicks(maxRate);
  const charts: ChartSpec[] = [
    {
      title: 'Lateness distribution (all runs)',
      xLabel: 'percentile',
      yLabel: 'lateness, ms (log scale)',
      yScale: 'log1p',
      series: latenessSeries,
      xTicks: QUANTILES.map((q, x) => ({ value: x, label: q === 100 ? 'max' : `p${q}` })),
      yTicks: [0, 1, 10, 100, 1_000, 10_000].filter((t) => t <= Math.max(10, ...latenessSeries.flatMap((s) => s.points.map((p) => p[1] * 10)))),
    },
    {
      title: 'Throughput against offered load',
      xLabel: 'offered, fires/s',
      yLabel: 'achieved, fires/s',
      yScale: 'linear',
      series: throughputSeries,
      xTicks: rateTicks.map((value) => ({ value, label: fmt(value) })),
      yTicks: rateTicks,
    },
  ];
  return svgDocument(charts);
}

function niceTicks(max: number): number[] {
  const step = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000].find((s) => max / s <= 8) ?? 100_000;
  return Array.from({ length: Math.floor(max / step) + 1 }, (_, i) => i * step);
}
