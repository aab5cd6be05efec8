/**
 * `npm run soak -- --minutes M --rate R --kill-every S [--nodes N]`: R fires/s for M minutes on N
 * Punctual node processes (3 by default) while one of them, chosen at random, is killed with SIGKILL
 * every S seconds and started again at once (same node id and data folder, as a supervisor would).
 * R schedules fire once a second each (their starts spread over the first second), misfire
 * fire-all. The verifier reads the target topic read_committed throughout; at the end every
 * expected occurrence must have arrived exactly once and nothing else. Writes
 * bench/results/<date>-soak-<M>m-<R>.md and exits 1 when anything was lost, duplicated or unexpected.
 * Starts a local broker unless KAFKA_BROKERS is set. Never part of `npm test`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { KAFKA_VERSION } from '../dev/kafka-distribution';
import { LocalKafka } from '../dev/local-kafka';
import { startPunctualProcess, stopPunctualProcesses, type PunctualProcess } from '../dev/punctual-process';
import { KafkajsPort } from '../kafka/kafkajs/kafkajs-port';
import { createLogger } from '../log/logger';
import { projectRoot } from '../util/project-root';
import { sleep } from '../util/sleep';
import { createAppendTimeTopic, produceDefinitions } from './bench-kafka';
import { nodeSetup, removeData } from './bench-node';
import { SoakVerifier, type SoakTally } from './soak-verifier';
import { percentiles } from './stats';

const PARTITIONS = 12;
const PERIOD_MS = 1_000;

export interface SoakOptions {
  minutes: number;
  rate: number;
  killEverySeconds: number;
  nodes: number;
}

const USAGE = 'usage: npm run soak -- --minutes M --rate R --kill-every S [--nodes N]';

export function parseSoakOptions(argv: string[]): SoakOptions {
  const options: SoakOptions = { minutes: 5, rate: 1_000, killEverySeconds: 30, nodes: 3 };
  const flags: Record<string, keyof SoakOptions> = { '--minutes': 'minutes', '--rate': 'rate', '--kill-every': 'killEverySeconds', '--nodes': 'nodes' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = flags[argv[i] ?? ''];
    const value = Number(argv[i + 1]);
    if (!key || !Number.isFinite(value) || value <= 0) throw new Error(`${argv[i] ?? ''} ${argv[i + 1] ?? ''}: not understood; ${USAGE}`);
    options[key] = value;
  }
  if (!Number.isInteger(options.rate) || !Number.isInteger(options.nodes) || options.nodes < 2) throw new Error(`--rate must be a whole number and --nodes at least 2; ${USAGE}`);
  return options;
}

interface Kill {
  at: number;
  node: string;
}

async function main(): Promise<void> {
  const options = parseSoakOptions(process.argv.slice(2));
  const logger = createLogger('warn');
  const log = (line: string): void => void process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const local = process.env.KAFKA_BROKERS ? undefined : await LocalKafka.start({ log });
  const brokers = process.env.KAFKA_BROKERS?.split(',') ?? local?.bootstrap.split(',') ?? [];
  const port = new KafkajsPort({ brokers, clientId: 'punctual-soak', logger });
  const setup = await nodeSetup(port, { PUNCTUAL_PARTITIONS: String(PARTITIONS), PUNCTUAL_LOG_LEVEL: 'warn' });
  const topic = `soak-${randomBytes(4).toString('hex')}`;
  await createAppendTimeTopic(port, topic, PARTITIONS);
  const names = Array.from({ length: options.nodes }, (_, i) => `soak-${i + 1}`);
  const running = new Map<string, PunctualProcess>();
  const every: PunctualProcess[] = [];
  const start = (name: string): PunctualProcess => {
    const node = startPunctualProcess({ ...setup.env, PUNCTUAL_NODE_ID: name, PUNCTUAL_DATA_DIR: path.join(setup.dataDir, name) });
    running.set(name, node);
    every.push(node);
    return node;
  };
  const occurrences = Math.round((options.minutes * 60_000) / PERIOD_MS);
  const host = `soak${randomBytes(3).toString('hex')}`;
  const verifier = new SoakVerifier(port, topic, PARTITIONS, host, options.rate, occurrences);
  const kills: Kill[] = [];
  const startedAt = Date.now();
  let tally: SoakTally | undefined;
  try {
    await Promise.all(names.map((name) => start(name).ready(180_000)));
    await verifier.start();
    const firstDueAt = Date.now() + 5_000 + Math.ceil(options.rate / 4);
    log(`defining ${options.rate} schedules, ${occurrences} occurrences each (${options.rate * occurrences} fires), the first due at ${new Date(firstDueAt).toISOString()}`);
    await produceDefinitions(port, setup.definitionsTopic, options.rate, (i) => ({
      host,
      name: `s${i}`,
      action: 'INSERT',
      topic,
      frequency: { timeUnit: 'MILLISECONDS', time: PERIOD_MS },
      start: new Date(firstDueAt + Math.floor((i * PERIOD_MS) / options.rate)).toISOString(),
      limit: occurrences,
      misfire: 'fire-all',
    }));
    const lastDueAt = firstDueAt + (occurrences - 1) * PERIOD_MS + PERIOD_MS;
    let seed = Number.parseInt(randomBytes(4).toString('hex'), 16);
    let nextKillAt = firstDueAt + options.killEverySeconds * 1_000;
    let nextReportAt = Date.now() + 10_000;
    while (Date.now() < lastDueAt) {
      await sleep(Math.max(0, Math.min(nextKillAt, nextReportAt, lastDueAt) - Date.now()));
      if (Date.now() >= nextKillAt && Date.now() < lastDueAt) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        const name = names[seed % names.length] ?? names[0] ?? '';
        const victim = running.get(name);
        victim?.child.kill('SIGKILL');
        await victim?.exited;
        kills.push({ at: Date.now(), node: name });
        start(name);
        nextKillAt += options.killEverySeconds * 1_000;
      }
      if (Date.now() >= nextReportAt) {
        const due = Math.max(0, Math.min(occurrences, Math.floor((Date.now() - firstDueAt) / PERIOD_MS))) * options.rate;
        log(`${verifier.count} of ${due} due fires arrived; ${kills.length} kills`);
        nextReportAt += 10_000;
      }
    }
    const expected = options.rate * occurrences;
    const deadline = Date.now() + 120_000;
    while (verifier.count < expected && Date.now() < deadline) await sleep(500);
    await stopPunctualProcesses(every);
    await verifier.drain(port, 120_000);
    tally = verifier.tally();
  } finally {
    await stopPunctualProcesses(every);
    await verifier.stop().catch(() => undefined);
    removeData(setup);
    await local?.stop();
  }
  const report = soakReport(options, tally, kills, Date.now() - startedAt);
  const file = path.join(projectRoot(), 'bench', 'results', `${new Date().toISOString().slice(0, 10)}-soak-${options.minutes}m-${options.rate}.md`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, report);
  process.stdout.write(`${report}\nwritten to ${path.relative(projectRoot(), file)}\n`);
  if (tally.missing > 0 || tally.duplicates > 0 || tally.unexpected > 0) process.exitCode = 1;
}

function soakReport(options: SoakOptions, tally: SoakTally, kills: Kill[], durationMs: number): string {
  const lateness = percentiles(tally.latenessSamples);
  const held = tally.missing === 0 && tally.duplicates === 0 && tally.unexpected === 0;
  return [
    `# Punctual soak, ${new Date().toISOString().slice(0, 10)}`,
    '',
    `\`npm run soak -- --minutes ${options.minutes} --rate ${options.rate} --kill-every ${options.killEverySeconds} --nodes ${options.nodes}\`, ${(durationMs / 60_000).toFixed(1)} minutes in all.`,
    '',
    `${options.nodes} Punctual node processes, ${PARTITIONS} partitions, one local Kafka ${KAFKA_VERSION} broker (KRaft), on ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}. ${options.rate} schedules fire once a second each for ${options.minutes} minutes (misfire fire-all); every ${options.killEverySeconds} s one node chosen at random is killed with SIGKILL and started again at once. A read_committed reader checks every execution event against one bit per expected occurrence.`,
    '',
    '| figure | value |',
    '|---|---|',
    `| fires expected | ${tally.expected.toLocaleString('en-US')} |`,
    `| fires verified (arrived once) | ${tally.received.toLocaleString('en-US')} |`,
    `| lost | ${tally.missing} |`,
    `| duplicated | ${tally.duplicates} |`,
    `| unexpected | ${tally.unexpected} |`,
    `| kills | ${kills.length} |`,
    `| longest pause (largest lateness of an occurrence) | ${tally.maxLatenessMs.toLocaleString('en-US')} ms |`,
    `| lateness p50 / p99 / p99.9 (every ${tally.received > 0 ? Math.round(tally.received / Math.max(1, tally.latenessSamples.length)) : 0}th arrival) | ${lateness.p50} / ${lateness.p99} / ${lateness.p999} ms |`,
    '',
    held ? 'Every expected occurrence arrived exactly once, and nothing else.' : '**Exactly-once did not hold in this run.**',
    '',
  ].join('\n');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
