/**
 * `--only executor` (issue 13): the Punctual executor against a BullMQ worker, both with a no-op
 * handler at concurrency 100, each in its own process.
 * - Throughput: a backlog of `events` fires (Punctual events on a 12-partition topic; BullMQ jobs
 *   due now) drained by the executor (statuses recorded, offsets committed in its transactions) and
 *   by the worker; events per second from the first handled to the last committed (Punctual) or the
 *   last seen (BullMQ, which gives it the benefit of its bookkeeping after the handler).
 * - Due-to-handler lateness at `lateRate` fires/s for `lateSeconds`: one-shots fired by a Punctual
 *   node and run by the executor (handler start minus due time), and BullMQ delayed jobs (worker
 *   start minus due time).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Queue } from 'bullmq';
import { loadConfig } from '../config/config';
import type { ScheduleDefinition } from '../domain/definition';
import { executionEvent } from '../domain/execution-event';
import type { KafkaPort, OutgoingRecord } from '../kafka/port';
import { waitFor } from '../util/wait-for';
import { createAppendTimeTopic, produceDefinitions } from './bench-kafka';
import { BenchNode, nodeSetup, removeData, type NodeSetup } from './bench-node';
import { runBullmqLoad, WORKER_CONCURRENCY } from './bullmq-load';
import { FireReader } from './fire-reader';
import { percentiles, type Percentiles } from './stats';

export interface ExecutorBenchResult {
  events: number;
  punctualPerSecond: number;
  bullmqPerSecond: number;
  lateRate: number;
  punctualLateness: Percentiles;
  /** Handler start minus the node's send time (the event's firedAt): the executor's share of the lateness. */
  punctualFiredToHandler: Percentiles;
  /** Due time to arrival at a plain read_committed reader of the same topic: what the node's firing costs. */
  punctualDueToReader: Percentiles;
  bullmqLateness: Percentiles;
}

export interface ExecutorBenchOptions {
  events: number;
  lateRate: number;
  lateSeconds: number;
}

const PRODUCE_CHUNK = 5_000;
const DRAIN_TIMEOUT_MS = 300_000;

type WorkerMessage = { kind: 'ready' } | { kind: 'reset' } | { kind: 'count'; count: number } | { kind: 'done'; lateness: number[]; fromFired: number[]; firstAt: number; lastAt: number };

interface Worker {
  child: ChildProcess;
  exited: Promise<void>;
  count: () => number;
  /** Forgets what it measured so far (and its count). */
  reset: () => Promise<void>;
  /** Stops it gracefully and returns its report. */
  stop: () => Promise<{ lateness: number[]; fromFired: number[]; firstAt: number; lastAt: number }>;
}

async function forkExecutor(port: KafkaPort, setup: NodeSetup, topic: string, groupId: string): Promise<Worker> {
  const { topics } = loadConfig({ ...setup.env, PUNCTUAL_DATA_DIR: setup.dataDir });
  // BENCH_EXECUTOR_ARGS passes node flags to the executor, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const child = fork(path.join(__dirname, 'executor-worker.js'), [], {
    execArgv: process.env.BENCH_EXECUTOR_ARGS?.split(' ').filter(Boolean) ?? [],
    env: { ...process.env, KAFKA_BROKERS: port.brokers.join(','), TOPIC: topic, GROUP: groupId, STATUS_TOPIC: topics.status, DLQ_TOPIC: topics.executionsDlq, DEFINITIONS_TOPIC: topics.definitions, CONCURRENCY: String(WORKER_CONCURRENCY) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let count = 0;
  let ready = false;
  let resets = 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const done = new Promise<{ lateness: number[]; fromFired: number[]; firstAt: number; lastAt: number }>((resolve, reject) => {
    child.on('message', (message: WorkerMessage) => {
      if (message.kind === 'ready') ready = true;
      else if (message.kind === 'reset') resets++;
      else if (message.kind === 'count') count = message.count;
      else resolve(message);
    });
    child.once('exit', (code) => reject(new Error(`the executor worker exited with ${code} before reporting`)));
  });
  await waitFor('the executor worker to be ready', () => ready, { timeoutMs: 60_000 });
  await waitForAssignment(port, groupId, topic);
  return {
    child,
    exited,
    count: () => count,
    reset: async () => {
      const before = resets;
      child.send('reset');
      await waitFor('the executor worker to reset', () => resets > before, { timeoutMs: 10_000, intervalMs: 10 });
      count = 0;
    },
    stop: async () => {
      child.send('stop');
      return done;
    },
  };
}

/** Waits for the worker to exit after its report (a profile is written then), or kills it. */
async function endWorker(worker: Worker): Promise<void> {
  const timer = setTimeout(() => worker.child.kill('SIGKILL'), worker.child.exitCode === null ? 10_000 : 0);
  await worker.exited;
  clearTimeout(timer);
}

/** `events` Punctual events due now, as a node writes them, spread over the topic's partitions by key. */
async function produceEvents(port: KafkaPort, topic: string, events: number): Promise<void> {
  const producer = port.createProducer();
  await producer.connect();
  try {
    const now = Date.now();
    for (let from = 0; from < events; from += PRODUCE_CHUNK) {
      const records: OutgoingRecord[] = [];
      for (let i = from; i < Math.min(events, from + PRODUCE_CHUNK); i++) {
        const definition = { id: `drain/e${i}`, host: 'drain', name: `e${i}`, topic, headers: {}, data: null } as unknown as ScheduleDefinition;
        const event = executionEvent(definition, { scheduledAt: now, occurrence: 1 }, now);
        records.push({ topic, key: event.key, value: event.value, headers: event.headers });
      }
      await producer.send(records);
    }
  } finally {
    await producer.close();
  }
}

async function punctualDrain(port: KafkaPort, setup: NodeSetup, events: number): Promise<number> {
  const topic = `${setup.definitionsTopic}.drain`;
  const groupId = `${setup.groupId}-drain-executor`;
  await createAppendTimeTopic(port, topic);
  await produceEvents(port, topic, events);
  const admin = port.createAdmin();
  await admin.connect();
  const worker = await forkExecutor(port, setup, topic, groupId);
  try {
    // Offsets commit in the transactions that record the statuses: all committed, all recorded.
    const committed = async (): Promise<number> => (await admin.fetchCommittedOffsets(groupId, topic)).reduce((sum, { offset }) => sum + Math.max(0, offset), 0);
    let committedAt = 0;
    await waitFor(
      `${events} outcomes committed`,
      async () => {
        if ((await committed()) < events) return false;
        committedAt = Date.now();
        return true;
      },
      { timeoutMs: DRAIN_TIMEOUT_MS, intervalMs: 20 },
    );
    const { firstAt } = await worker.stop();
    return Math.round(events / ((committedAt - firstAt) / 1000));
  } finally {
    await endWorker(worker);
    await admin.close();
  }
}

async function bullmqDrain(redisPort: number, events: number): Promise<number> {
  const name = `drain-${randomBytes(3).toString('hex')}`;
  const queue = new Queue(name, { connection: { host: '127.0.0.1', port: redisPort } });
  const worker = fork(path.join(__dirname, 'bullmq-worker.js'), [], {
    env: { ...process.env, REDIS_PORT: String(redisPort), QUEUE: name, CONCURRENCY: String(WORKER_CONCURRENCY) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const now = Date.now();
    for (let from = 0; from < events; from += PRODUCE_CHUNK) {
      const jobs = Array.from({ length: Math.min(PRODUCE_CHUNK, events - from) }, () => ({ name: 'fire', data: { dueAt: now }, opts: { removeOnComplete: true, removeOnFail: true } }));
      await queue.addBulk(jobs);
    }
    let seen = 0;
    const done = new Promise<number[]>((resolve, reject) => {
      worker.on('message', (message: { kind: string; count?: number; seenAt?: number[] }) => {
        if (message.kind === 'count') seen = message.count ?? 0;
        else if (message.kind === 'done') resolve(message.seenAt ?? []);
      });
      worker.once('exit', (code) => reject(new Error(`the BullMQ worker exited with ${code} before reporting`)));
    });
    await waitFor(`${events} jobs`, () => seen >= events, { timeoutMs: DRAIN_TIMEOUT_MS, intervalMs: 50 });
    worker.send('stop');
    const seenAt = await done;
    const first = seenAt.reduce((min, at) => Math.min(min, at), Infinity);
    const last = seenAt.reduce((max, at) => Math.max(max, at), 0);
    return Math.round(events / ((last - first) / 1000));
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    if (worker.exitCode === null) worker.kill('SIGKILL');
  }
}

async function punctualLateness(port: KafkaPort, setup: NodeSetup, rate: number, seconds: number): Promise<{ dueToHandler: Percentiles; firedToHandler: Percentiles; dueToReader: Percentiles }> {
  const topic = `${setup.definitionsTopic}.late`;
  await createAppendTimeTopic(port, topic);
  // The executor owns its partitions before the node starts: what is measured is service, not its join.
  const worker = await forkExecutor(port, setup, topic, `${setup.groupId}-late-executor`);
  const node = await BenchNode.start(setup);
  // A plain read_committed reader beside the executor: when each event became readable at all.
  const reader = new FireReader(port, topic, 12, 'late/');
  await reader.start();
  const load = async (host: string): Promise<number> => {
    const expected = rate * seconds;
    const firstDueAt = Date.now() + 3_000 + Math.ceil(expected / 10);
    await produceDefinitions(port, setup.definitionsTopic, expected, (i) => ({ host, name: `l${i}`, action: 'INSERT', topic, at: new Date(firstDueAt + Math.floor((i * 1_000) / rate)).toISOString() }));
    if (Date.now() > firstDueAt) process.stderr.write(`  warning: executor lateness definitions were still being written at the first due time\n`);
    await waitFor(`${expected} fires handled`, () => worker.count() >= expected, { timeoutMs: seconds * 1_000 + 120_000, intervalMs: 100 });
    return expected;
  };
  try {
    // One unmeasured load first, as the node's own lateness loads have: JIT, connections and caches settle.
    await load('warm');
    await worker.reset();
    const expected = await load('late');
    const { lateness, fromFired } = await worker.stop();
    await waitFor(`${expected} fires read`, () => reader.count >= expected, { timeoutMs: 30_000, intervalMs: 100 });
    const dueToReader = percentiles(reader.receivedAt.map((at, i) => at - (reader.scheduledAt[i] as number)));
    return { dueToHandler: percentiles(lateness), firedToHandler: percentiles(fromFired), dueToReader };
  } finally {
    await reader.stop();
    await endWorker(worker);
    await node.stop();
  }
}

/** Until every partition of `topic` is assigned to a member of `groupId`. */
async function waitForAssignment(port: KafkaPort, groupId: string, topic: string): Promise<void> {
  const admin = port.createAdmin();
  await admin.connect();
  try {
    const [description] = await admin.describeTopics([topic]);
    const partitions = description?.partitions ?? 0;
    await waitFor(`the partitions of ${topic} assigned in ${groupId}`, async () => {
      const members = await admin.describeGroupMembers(groupId);
      return members.flatMap((member) => member.partitions.filter((partition) => partition.topic === topic)).length >= partitions;
    }, { timeoutMs: 60_000, intervalMs: 100 });
  } finally {
    await admin.close();
  }
}

export async function runExecutorScenario(port: KafkaPort, redisPort: number, options: ExecutorBenchOptions, log: (line: string) => void): Promise<ExecutorBenchResult> {
  const setup = await nodeSetup(port);
  try {
    const punctualPerSecond = await punctualDrain(port, setup, options.events);
    log(`  executor drain: ${options.events} events at ${punctualPerSecond}/s (statuses recorded)`);
    const bullmqPerSecond = await bullmqDrain(redisPort, options.events);
    log(`  BullMQ worker drain: ${options.events} jobs at ${bullmqPerSecond}/s`);
    const { dueToHandler: late, firedToHandler, dueToReader } = await punctualLateness(port, setup, options.lateRate, options.lateSeconds);
    log(`  executor due-to-handler lateness at ${options.lateRate}/s: p50 ${late.p50} p99 ${late.p99} max ${late.max} ms (node's send to handler: p50 ${firedToHandler.p50} p99 ${firedToHandler.p99} ms; due to a plain reader: p50 ${dueToReader.p50} p99 ${dueToReader.p99} ms)`);
    const bullmqLate = (await runBullmqLoad(redisPort, options.lateRate, options.lateSeconds)).lateness;
    log(`  BullMQ due-to-handler lateness at ${options.lateRate}/s: p50 ${bullmqLate.p50} p99 ${bullmqLate.p99} max ${bullmqLate.max} ms`);
    return { events: options.events, punctualPerSecond, bullmqPerSecond, lateRate: options.lateRate, punctualLateness: late, punctualFiredToHandler: firedToHandler, punctualDueToReader: dueToReader, bullmqLateness: bullmqLate };
  } finally {
    removeData(setup);
  }
}
