/**
 * A run of the fault suite: Punctual node processes of a group of their own on a real cluster,
 * fixed-rate schedules written straight to the definitions topic, and the verifier: once every node
 * is stopped, a marker is appended to every target partition and a read_committed reader reads up
 * to them; every expected fire id must be there exactly once, and nothing else.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isolatedNodeEnv } from '../../src/dev/isolated-node-env';
import { startPunctualProcess, stopPunctualProcesses, type PunctualProcess } from '../../src/dev/punctual-process';
import type { IncomingRecord, KafkaPort } from '../../src/kafka/port';
import { waitFor } from '../../src/util/wait-for';
import { fireReport, longestPause } from './fire-verifier';
import { createTopic, produceAll, readAllUpToMarkers, readCommittedUntil, uniqueName } from './kafka';
import { definitionRecord } from './punctual';

export interface FaultRunOptions {
  partitions: number;
  sessionTimeoutMs: number;
  transactionTimeoutMs: number;
  targetPartitions: number;
}

export interface FaultRun {
  groupId: string;
  definitions: string;
  topic: string;
  targetPartitions: number;
  /** Every process started, in order (restarts too). */
  processes: PunctualProcess[];
  /** Starts node `name` (its node id and data folder follow the name, so a restart is the same node). */
  start(name: string, env?: Record<string, string>): PunctualProcess;
  /** The running process of node `name`. */
  node(name: string): PunctualProcess;
}

export async function faultRun(port: KafkaPort, brokers: string[], options: FaultRunOptions): Promise<FaultRun> {
  const prefix = uniqueName('fault');
  const env: Record<string, string> = {
    ...isolatedNodeEnv(prefix),
    KAFKA_BROKERS: brokers.join(','),
    PUNCTUAL_PARTITIONS: String(options.partitions),
    PUNCTUAL_SESSION_TIMEOUT_MS: String(options.sessionTimeoutMs),
    PUNCTUAL_TRANSACTION_TIMEOUT_MS: String(options.transactionTimeoutMs),
    PUNCTUAL_HTTP_PORT: '0',
    PUNCTUAL_LOG_LEVEL: process.env.PUNCTUAL_TEST_LOGS ? 'debug' : 'info',
  };
  const topic = uniqueName('out');
  await createTopic(port, topic, options.targetPartitions, 3);
  const processes: PunctualProcess[] = [];
  const running = new Map<string, PunctualProcess>();
  return {
    groupId: env.PUNCTUAL_GROUP_ID ?? '',
    definitions: env.PUNCTUAL_TOPIC_DEFINITIONS ?? '',
    topic,
    targetPartitions: options.targetPartitions,
    processes,
    start(name, extra = {}) {
      const started = startPunctualProcess({ ...env, ...extra, PUNCTUAL_NODE_ID: name, PUNCTUAL_DATA_DIR: path.join(os.tmpdir(), 'punctual-test-data', prefix, name) });
      processes.push(started);
      running.set(name, started);
      return started;
    },
    node(name) {
      const found = running.get(name);
      if (!found) throw new Error(`no node ${name} was started`);
      return found;
    },
  };
}

/**
 * `count` schedules firing every `periodMs` over [start, end), misfire fire-all (no occurrence may
 * be skipped, even one that came due while its partition had no owner); returns their fire ids.
 */
export async function defineFixedRate(port: KafkaPort, run: FaultRun, count: number, periodMs: number, start: number, end: number): Promise<Set<string>> {
  const expected = new Set<string>();
  const records = Array.from({ length: count }, (_, i) => {
    for (let t = start; t < end; t += periodMs) expected.add(`fs/s${i}@${t}`);
    return definitionRecord(run.definitions, {
      host: 'fs',
      name: `s${i}`,
      action: 'INSERT',
      frequency: { timeUnit: 'MILLISECONDS', time: periodMs },
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      misfire: 'fire-all',
      topic: run.topic,
    });
  });
  await produceAll(port, records);
  return expected;
}

export interface Verified {
  fires: number;
  /** Longest pause of a schedule beyond its period, by the events' firedAt. */
  longestPauseMs: number;
}

/** Waits for every expected fire, stops every node, then checks the target topic read up to markers. */
export async function verifyExactlyOnce(port: KafkaPort, run: FaultRun, expected: Set<string>, periodMs: number): Promise<Verified> {
  await readCommittedUntil(port, run.topic, (seen) => containsAll(seen, expected), 90_000).catch(() => undefined);
  await stopPunctualProcesses(run.processes);
  const records = await readAllUpToMarkers(port, run.topic, run.targetPartitions, 120_000);
  const report = fireReport(records);
  const seen = new Set(records.map((record) => record.headers['punctual-fire-id'] ?? '<none>'));
  const missing = [...expected].filter((id) => !seen.has(id));
  expect({ duplicated: report.duplicates.slice(0, 10), duplicatedCount: report.duplicates.length }).toEqual({ duplicated: [], duplicatedCount: 0 });
  expect({ missing: missing.slice(0, 10), missingCount: missing.length }).toEqual({ missing: [], missingCount: 0 });
  expect([...seen].filter((id) => !expected.has(id))).toEqual([]);
  return { fires: records.length, longestPauseMs: longestPause(records, (id) => (id.startsWith('fs/') ? periodMs : undefined)) };
}

/** Whether every expected fire id is among `records`. */
export function containsAll(records: IncomingRecord[], expected: Set<string>): boolean {
  if (records.length < expected.size) return false;
  const seen = new Set(records.map((record) => record.headers['punctual-fire-id']));
  return [...expected].every((id) => seen.has(id));
}

/** Runs `body`; on failure prints the tail of every node's output first. */
export async function withNodeLogs(run: FaultRun, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    for (const [i, node] of run.processes.entries()) console.log(`--- process ${i} output (tail) ---\n${node.output().slice(-8000)}`);
    throw error;
  } finally {
    // A process left frozen (SIGSTOP) would never act on the SIGTERM that stops it.
    for (const node of run.processes) if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGCONT');
    await stopPunctualProcesses(run.processes);
  }
}

/** The state letter of a process (R, S, T for stopped, ...), from /proc. */
export function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

/** Waits until the node's health says it is ready and owns at least one partition. */
export async function waitOwnsPartitions(url: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(`${url} to own partitions`, async () => {
    const response = await fetch(`${url}/health/ready`).catch(() => undefined);
    if (!response?.ok) return false;
    return (((await response.json()) as { partitions?: number[] }).partitions?.length ?? 0) > 0;
  }, { timeoutMs, intervalMs: 200 });
}
