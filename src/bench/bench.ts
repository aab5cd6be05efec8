/**
 * `npm run bench [-- --quick] [--runs N] [--only scenarios]`: Punctual side by side with the raw
 * broker ceiling and BullMQ on this machine (design section 7, issue 5). Starts a local broker (or
 * uses KAFKA_BROKERS) and a local Redis, runs every scenario, writes bench/results/<date>-<mode>.md
 * and .svg, and prints the ratios. Never part of `npm test`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureKafkaJars, KAFKA_VERSION } from '../dev/kafka-distribution';
import { LocalKafka } from '../dev/local-kafka';
import { KafkajsPort } from '../kafka/kafkajs/kafkajs-port';
import type { KafkaPort } from '../kafka/port';
import { createLogger } from '../log/logger';
import { projectRoot } from '../util/project-root';
import { parseBenchOptions, SCENARIOS, type BenchOptions } from './bench-options';
import { headlines, markdownReport, pictureOf } from './bench-report';
import type { BenchResults, SystemLoads } from './bench-results';
import { createAppendTimeTopic } from './bench-kafka';
import { BenchNode, nodeSetup, removeData } from './bench-node';
import { runBullmqLoad } from './bullmq-load';
import { runExecutorScenario } from './executor-scenario';
import { runFailover } from './failover-scenario';
import { runIngest } from './ingest-scenario';
import { runMemoryRestart } from './memory-restart-scenario';
import { rampUp, type LoadResult } from './offered-load';
import { progress } from './progress';
import { runPunctualLoad } from './punctual-load';
import { measureRawCeiling } from './raw-ceiling';
import { LocalRedis } from './redis-server';

/** The failover scenario uses the node's default session timeout, as a user would. */
const DEFAULT_SESSION_TIMEOUT_MS = 10_000;

function describeLoad(load: LoadResult): string {
  const { lateness: l } = load;
  return `${load.system} ${load.offered}/s: ${load.received}/${load.expected} received, ${load.achieved}/s, lateness p50 ${l.p50} p99 ${l.p99} p99.9 ${l.p999} max ${l.max} ms${load.appendLateness ? ` (append p99 ${load.appendLateness.p99} ms)` : ''}${load.duplicates ? `, ${load.duplicates} duplicates` : ''} -> ${load.sustained ? 'held' : 'missed'}`;
}

/** Lateness loads then the sustained-rate search, `runs` times, against one system. */
async function offeredLoads(label: string, options: BenchOptions, run: (rate: number) => Promise<LoadResult>): Promise<SystemLoads> {
  const loads: SystemLoads = { label, runs: [] };
  for (let r = 1; r <= options.runs; r++) {
    progress(`${label}: run ${r} of ${options.runs}`);
    // Unmeasured warm-up loads before the first run, one at each lateness rate: JIT (the node's and
    // the broker's transaction paths), connections and caches settle as they would in service. With
    // one 1k/s warm-up, the first measured run of a fresh broker was two to three times as late as
    // the next. Later runs follow on the same, already warm, node and broker.
    if (r === 1) for (const rate of options.latenessRates) progress(`  warm-up, not counted: ${describeLoad(await run(rate))}`);
    const measured: LoadResult[] = [];
    const logged = async (rate: number): Promise<LoadResult> => {
      const result = await run(rate);
      progress(`  ${describeLoad(result)}`);
      return result;
    };
    for (const rate of options.latenessRates) measured.push(await logged(rate));
    measured.push(...(await rampUp(options.rampRates, measured, logged)));
    loads.runs.push(measured);
  }
  return loads;
}

async function punctualLoads(port: KafkaPort, options: BenchOptions, label: string, env: Record<string, string>): Promise<SystemLoads> {
  const setup = await nodeSetup(port, env);
  const eventsTopic = `${setup.definitionsTopic}.events`;
  await createAppendTimeTopic(port, eventsTopic);
  const extraFields = options.timeRules ? await timeRulesFields(port, setup.calendarsTopic) : undefined;
  const node = await BenchNode.start(setup);
  try {
    return await offeredLoads(label, options, (rate) => runPunctualLoad({ port, definitionsTopic: setup.definitionsTopic, eventsTopic, label, ...(extraFields ? { extraFields } : {}) }, rate, options.loadSeconds));
  } finally {
    await node.stop();
    removeData(setup);
  }
}

/**
 * --time-rules: a calendar of 200 holidays in 2000 (written before the node starts, which reads it
 * in full) and a window open all week, on every schedule: each fire checks both, none is moved.
 */
async function timeRulesFields(port: KafkaPort, calendarsTopic: string): Promise<Record<string, unknown>> {
  const dates = Array.from({ length: 200 }, (_, k) => new Date(Date.UTC(2000, 0, 1) + k * 86_400_000).toISOString().slice(0, 10));
  const producer = port.createProducer();
  await producer.connect();
  try {
    await producer.send([{ topic: calendarsTopic, key: 'bench-holidays', value: JSON.stringify({ dates, weekdays: [] }) }]);
  } finally {
    await producer.close();
  }
  return { timezone: 'Europe/Berlin', exclude: ['bench-holidays'], windows: [{ days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], from: '00:00', to: '24:00' }] };
}

function machine(redis: LocalRedis | undefined): Record<string, string> {
  const versionOf = (pkg: string): string => (JSON.parse(readFileSync(path.join(projectRoot(), 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  return {
    cpu: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    'Apache Kafka': `${KAFKA_VERSION}, one local broker (KRaft), 12 partitions per topic`,
    kafkajs: versionOf('kafkajs'),
    bullmq: versionOf('bullmq'),
    redis: redis?.version() ?? 'not started',
  };
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  const startedAt = new Date();
  progress(`${options.mode} mode${options.timeRules ? ' with windows and a calendar on every schedule' : ''}, ${options.runs} run(s) of: ${[...options.only].join(', ')}`);
  const libs = await ensureKafkaJars((line) => progress(line));
  let kafka: LocalKafka | undefined;
  let brokers = process.env.KAFKA_BROKERS ?? '';
  if (brokers === '') {
    kafka = await LocalKafka.start({ heapMb: 1_024, log: (line) => progress(line) });
    brokers = kafka.bootstrap;
  }
  const redis = options.only.has('bullmq') || options.only.has('executor') ? await LocalRedis.start((line) => progress(line)) : undefined;
  const port = new KafkajsPort({ brokers: brokers.split(','), clientId: 'punctual-bench', logger: createLogger('error') });
  const results: BenchResults = {
    mode: options.mode,
    runs: options.runs,
    startedAt,
    durationMs: 0,
    machine: machine(redis),
    latenessRates: options.latenessRates,
    raw: new Map(),
    systems: new Map(),
    ingest: [],
    memory: [],
    failover: [],
    executor: [],
  };
  const stopAll = async (): Promise<void> => {
    await redis?.stop();
    await kafka?.stop();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    if (options.only.has('raw')) {
      for (const size of [100, 1_024]) {
        for (let r = 1; r <= options.runs; r++) {
          const ceiling = await measureRawCeiling(port, libs, options.rawRecords, size);
          progress(`raw ceiling ${size} B, run ${r}: ${Math.round(ceiling.recordsPerSecond)} records/s`);
          results.raw.set(size, [...(results.raw.get(size) ?? []), ceiling]);
        }
      }
    }
    if (options.only.has('punctual')) results.systems.set('punctual', await punctualLoads(port, options, 'Punctual', {}));
    if (options.only.has('at-least-once')) results.systems.set('at-least-once', await punctualLoads(port, options, 'Punctual at-least-once', { PUNCTUAL_DELIVERY: 'at-least-once' }));
    if (redis && options.only.has('bullmq')) results.systems.set('bullmq', await offeredLoads('BullMQ', options, (rate) => runBullmqLoad(redis.port, rate, options.loadSeconds)));
    if (options.only.has('ingest')) {
      for (let r = 1; r <= options.runs; r++) {
        results.ingest.push(await runIngest(port, options.ingestDefinitions));
        progress(`ingest run ${r}: ${options.ingestDefinitions} definitions at ${results.ingest[results.ingest.length - 1]}/s`);
      }
    }
    if (options.only.has('memory')) {
      for (let r = 1; r <= options.runs; r++) {
        progress(`memory and restart with ${options.pending} pending, run ${r}`);
        const result = await runMemoryRestart(port, options.pending, progress);
        progress(`  ${result.bytesPerPending.toFixed(1)} B per pending after ingest, ${result.restartedBytesPerPending.toFixed(1)} B restarted; restart to first fire ${result.restartMs} ms`);
        results.memory.push(result);
      }
      if (options.largePending !== undefined) {
        progress(`memory with ${options.largePending} pending (one run)`);
        results.largeMemory = await runMemoryRestart(port, options.largePending, progress);
        progress(`  ${results.largeMemory.bytesPerPending.toFixed(1)} B per pending after ingest, ${results.largeMemory.restartedBytesPerPending.toFixed(1)} B restarted`);
      }
    }
    if (options.only.has('failover')) {
      for (let r = 1; r <= options.runs; r++) {
        const failover = await runFailover(port, DEFAULT_SESSION_TIMEOUT_MS);
        progress(`failover run ${r}: ${failover.failoverMs} ms, ${failover.duplicates} duplicates`);
        results.failover.push(failover);
      }
    }
    if (options.only.has('executor') && redis) {
      for (let r = 1; r <= options.runs; r++) {
        progress(`executor against a BullMQ worker, run ${r}`);
        results.executor.push(await runExecutorScenario(port, redis.port, { events: options.executorEvents, lateRate: options.executorLateRate, lateSeconds: options.executorLateSeconds }, progress));
      }
    }
  } finally {
    await stopAll();
  }
  results.durationMs = Date.now() - startedAt.getTime();
  const folder = path.join(projectRoot(), 'bench', 'results');
  mkdirSync(folder, { recursive: true });
  // A run of some scenarios is named after them: it never overwrites the day's run of all of them.
  const scenarios = `${options.only.size === SCENARIOS.length ? '' : `-${[...options.only].join('+')}`}${options.timeRules ? '-time-rules' : ''}`;
  const base = path.join(folder, `${startedAt.toISOString().slice(0, 10)}-${options.mode}${scenarios}`);
  // The picture charts the offered loads: a run without them has none.
  const picture = results.systems.size > 0;
  writeFileSync(`${base}.md`, `${markdownReport(results)}${picture ? `\n![lateness and throughput](${path.basename(base)}.svg)\n` : ''}`);
  if (picture) writeFileSync(`${base}.svg`, pictureOf(results));
  console.log(`\nresults: ${path.relative(process.cwd(), base)}.md${picture ? ' and .svg' : ''}`);
  for (const h of headlines(results)) console.log(`${h.label}: ${h.value} (target ${h.target})${h.met === false ? '  <- missed' : ''}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
