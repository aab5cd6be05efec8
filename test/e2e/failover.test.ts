/**
 * Master/master failover with real processes: three nodes share the partitions; nodes are killed
 * with SIGKILL mid-run and restarted; a node is frozen with SIGSTOP past its session timeout and
 * thawed. An independent read_committed reader then checks that every expected fire id appears
 * exactly once and nothing else appears. Schedules use misfire `fire-all`, so no occurrence may be
 * missing even for the windows where a partition had no owner.
 */
import path from 'node:path';
import os from 'node:os';
import type { IncomingRecord, KafkaPort } from '../../src/kafka/port';
import { fireReport, longestPause } from '../helpers/fire-verifier';
import { createTopic, readAllUpToMarkers, readCommittedUntil, testPort, uniqueName } from '../helpers/kafka';
import { definitionRecord, uniqueNodeEnv } from '../helpers/punctual';
import { startPunctualProcess, stopPunctualProcesses, type PunctualProcess } from '../../src/dev/punctual-process';
import { sleep } from '../../src/util/sleep';

jest.setTimeout(240_000);

const SCHEDULES = 200;
const PERIODS = [100, 200, 300, 500];
const RUN_MS = 30_000;
const SESSION_TIMEOUT_MS = 3_000;
const TARGET_PARTITIONS = 3;
/**
 * Longest a schedule may pause after a kill -9: the session timeout that detects the dead member,
 * a heartbeat interval for the others to hear of the rebalance (a tenth of it), and the join, the
 * restores and the first transactions of the partitions that moved, given a session timeout as well.
 */
const MAX_FAILOVER_PAUSE_MS = 2 * SESSION_TIMEOUT_MS + SESSION_TIMEOUT_MS / 10;

interface Cluster {
  env: Record<string, string>;
  definitions: string;
  start(name: string): PunctualProcess;
  nodes: PunctualProcess[];
}

function cluster(): Cluster {
  const prefix = uniqueName('fo');
  const env: Record<string, string> = { ...uniqueNodeEnv(prefix), PUNCTUAL_PARTITIONS: '6', PUNCTUAL_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS), PUNCTUAL_LOG_LEVEL: process.env.PUNCTUAL_TEST_LOGS ? 'debug' : 'info' };
  const nodes: PunctualProcess[] = [];
  return {
    env,
    definitions: env.PUNCTUAL_TOPIC_DEFINITIONS ?? '',
    nodes,
    start(name) {
      const node = startPunctualProcess({ ...env, PUNCTUAL_DATA_DIR: path.join(os.tmpdir(), 'punctual-test-data', prefix, name) });
      nodes.push(node);
      return node;
    },
  };
}

/** Produces SCHEDULES fixed-rate schedules over [start, end) and returns every fire id they must produce. */
async function defineSchedules(port: KafkaPort, definitions: string, topic: string, start: number, end: number): Promise<Set<string>> {
  const expected = new Set<string>();
  const records = Array.from({ length: SCHEDULES }, (_, i) => {
    const period = PERIODS[i % PERIODS.length] ?? 100;
    for (let t = start; t < end; t += period) expected.add(`fo/s${i}@${t}`);
    return definitionRecord(definitions, {
      host: 'fo',
      name: `s${i}`,
      action: 'INSERT',
      frequency: { timeUnit: 'MILLISECONDS', time: period },
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      misfire: 'fire-all',
      topic,
    });
  });
  const producer = port.createProducer();
  await producer.connect();
  await producer.send(records);
  await producer.close();
  return expected;
}

function verify(records: IncomingRecord[], expected: Set<string>): void {
  const report = fireReport(records);
  expect(report.duplicates).toEqual([]);
  const seen = new Set(records.map((record) => record.headers['punctual-fire-id'] ?? ''));
  const missing = [...expected].filter((id) => !seen.has(id));
  const unexpected = [...seen].filter((id) => !expected.has(id));
  expect({ missing: missing.slice(0, 10), missingCount: missing.length }).toEqual({ missing: [], missingCount: 0 });
  expect(unexpected).toEqual([]);
  for (const times of report.byId.values()) expect(times).toEqual([...times].sort((a, b) => a - b));
}

/** How long failover took: the longest pause of a schedule beyond its period. */
function failoverPause(records: IncomingRecord[]): number {
  return longestPause(records, (id) => PERIODS[Number(id.split('/s')[1]) % PERIODS.length]);
}

/** On failure, the nodes' own logs are the first thing one wants to read. */
async function withNodeLogs(group: Cluster, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    for (const [i, node] of group.nodes.entries()) console.log(`--- node ${i} output (tail) ---\n${node.output().slice(-6000)}`);
    throw error;
  }
}

/** A cluster and a target topic for one test; every node is stopped afterwards, its logs printed on failure. */
async function withCluster(body: (port: KafkaPort, group: Cluster, topic: string) => Promise<void>): Promise<void> {
  const port = testPort();
  const group = cluster();
  const topic = uniqueName('out');
  await createTopic(port, topic, TARGET_PARTITIONS);
  try {
    await withNodeLogs(group, () => body(port, group, topic));
  } finally {
    await stopPunctualProcesses(group.nodes);
  }
}

test('kill -9 of nodes mid-run, twice: every expected fire exactly once', async () => {
  await withCluster(async (port, group, topic) => {
    const [a, b] = [group.start('a'), group.start('b'), group.start('c')];
    await Promise.all(group.nodes.map((node) => node.ready()));
    const start = Date.now() + 2_000;
    const end = start + RUN_MS;
    const expected = await defineSchedules(port, group.definitions, topic, start, end);

    await sleep(start - Date.now() + 7_000);
    a?.child.kill('SIGKILL');
    await sleep(5_000);
    await group.start('a').ready();
    await sleep(4_000);
    b?.child.kill('SIGKILL');
    await sleep(5_000);
    await group.start('b').ready();
    await sleep(end - Date.now() + 3_000);

    await readCommittedUntil(port, topic, (seen) => seen.length >= expected.size, 60_000);
    const records = await readAllUpToMarkers(port, topic, TARGET_PARTITIONS);
    verify(records, expected);
    const pause = failoverPause(records);
    console.log(`failover: ${expected.size} fires verified; longest pause of a schedule after kill -9: ${pause} ms`);
    expect(pause).toBeLessThanOrEqual(MAX_FAILOVER_PAUSE_MS);
  });
});

test('a node frozen past its session timeout emits nothing after losing its partitions, and rejoins cleanly', async () => {
  await withCluster(async (port, group, topic) => {
    const [frozen] = [group.start('frozen'), group.start('other')];
    const httpPorts = await Promise.all(group.nodes.map((node) => node.ready()));
    const start = Date.now() + 1_000;
    const end = start + 15_000;
    const expected = await defineSchedules(port, group.definitions, topic, start, end);

    await sleep(3_000);
    frozen?.child.kill('SIGSTOP');
    await sleep(8_000);
    frozen?.child.kill('SIGCONT');
    await sleep(end - Date.now() + 3_000);

    await readCommittedUntil(port, topic, (seen) => seen.length >= expected.size, 60_000);
    const records = await readAllUpToMarkers(port, topic, TARGET_PARTITIONS);
    verify(records, expected);
    // Thawed, it rejoined the group and runs partitions again.
    const ready = await fetch(`http://127.0.0.1:${httpPorts[0]}/health/ready`).then((response) => response.json() as Promise<{ partitions: number[] }>);
    expect(ready.partitions.length).toBeGreaterThan(0);
  });
});
