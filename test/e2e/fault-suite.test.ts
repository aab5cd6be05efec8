/**
 * The fault suite: exactly-once on a three-broker cluster (replication 3, min.insync.replicas 2, the
 * offsets and transaction state topics replicated 3 times) while brokers and nodes fail.
 *
 * Brokers: two Punctual node processes, 100 schedules created over HTTP (every 200 ms from a common
 * start, limit 100, misfire fire-all: 10,000 fires) and REST writes in flight; about 5 s into the run
 * one broker JVM is killed with SIGKILL: the transaction coordinator of the nodes, the group
 * coordinator, the leader of the target topic, and, in a hard bounce started again 6 s later, the
 * broker that is both coordinators. A probe member of a group coordinated by the killed broker checks
 * the port's group consumer: it hears that its membership is in doubt (or loses its partitions)
 * before it is assigned anything again, and ends up owning every partition again.
 *
 * Nodes: fixed-rate schedules written to the definitions topic while nodes are killed with SIGKILL at
 * each step of their transaction (the test-only hook, src/dev/transaction-fault.ts), frozen with
 * SIGSTOP inside a transaction past their session timeout and thawed, rebalanced 1 -> 3 -> 2 -> 3, and
 * killed at random.
 *
 * Every case ends with the verifier: every node stopped, a marker appended to every target
 * partition, a read_committed reader up to the markers; every expected fire id (and every REST write
 * answered 2xx) exactly once, nothing else.
 */
import os from 'node:os';
import path from 'node:path';
import { LocalKafka } from '../../src/dev/local-kafka';
import { isolatedNodeEnv } from '../../src/dev/isolated-node-env';
import { startPunctualProcess, stopPunctualProcesses, type PunctualProcess } from '../../src/dev/punctual-process';
import { nodeTransactionalId } from '../../src/cluster/node-identity';
import type { GroupConsumer, IncomingRecord, KafkaPort } from '../../src/kafka/port';
import { sleep } from '../../src/util/sleep';
import { waitFor } from '../../src/util/wait-for';
import { coordinatorsOf, leadersOf } from '../helpers/coordinators';
import { fireReport, longestPause } from '../helpers/fire-verifier';
import { readAllUpToMarkers, readCommittedUntil, testPort, uniqueName, waitForTopic } from '../helpers/kafka';
import { TRANSACTION_STEPS } from '../../src/cluster/node-transactions';
import { containsAll, defineFixedRate, faultRun, processState, verifyExactlyOnce, waitOwnsPartitions, withNodeLogs, type FaultRun } from '../helpers/fault-run';

// Each case runs for about a minute, more on a loaded machine; its own waits are bounded below this.
jest.setTimeout(600_000);

const SCHEDULES = 100;
const PERIOD_MS = 200;
const LIMIT = 100;
const PARTITIONS = 12;
/** Into the run when the broker is killed. */
const KILL_AFTER_MS = 5_000;
/**
 * Longest a schedule may pause: the 60 s transaction timeout, after which a coordinator aborts a
 * transaction left hanging, which is what a task stuck on its dead broker would wait for. Measured
 * 10-21 s in 56 runs: the controller declares the broker dead after broker.session.timeout.ms (9 s),
 * then leaders and coordinators move, tasks rebuild, and group consumers rejoin; one run of the
 * group-coordinator kill took 46.6 s, its consumers giving up on the dead coordinator only after
 * 39 s of kafkajs' nested retries while the nodes held their tasks (docs/guarantees.md).
 */
const MAX_PAUSE_MS = 60_000;

let cluster: LocalKafka;
let brokers: string[];
let port: KafkaPort;

beforeAll(async () => {
  cluster = await LocalKafka.start({ brokers: 3, heapMb: 384 });
  brokers = cluster.bootstrap.split(',');
  port = testPort(brokers);
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

interface Run {
  env: Record<string, string>;
  groupId: string;
  definitions: string;
  topic: string;
  nodes: PunctualProcess[];
  nodeNames: string[];
  urls: string[];
}

type Victim = (run: Run) => Promise<number>;

/** The broker that coordinates the transactions of most of the nodes' transactional.ids. */
const transactionCoordinator: Victim = async (run) => {
  const ids = run.nodeNames.map((name) => nodeTransactionalId(run.groupId, name));
  return mostCommon([...(await coordinatorsOf(brokers, 'transaction', ids)).values()]);
};

const groupCoordinator: Victim = async (run) => (await coordinatorsOf(brokers, 'group', [run.groupId])).get(run.groupId) ?? -1;

const targetLeader: Victim = async (run) => mostCommon(await leadersOf(brokers, run.topic));

test.each([
  ['the transaction coordinator of most tasks', transactionCoordinator],
  ['the group coordinator', groupCoordinator],
  ['the leader of the target topic', targetLeader],
])('kill -9 of %s mid-run: every fire and every acknowledged REST write exactly once', async (_name, victim) => {
  const run = await startRun();
  let killed: number | undefined;
  let probe: GroupProbe | undefined;
  try {
    const start = Date.now() + 6_000;
    const expected = await createSchedules(run, start);
    const target = await victim(run);
    expect(cluster.nodeIds).toContain(target);
    probe = await GroupProbe.start(run, target);
    const writes = new RestWrites(run);
    await sleep(start + KILL_AFTER_MS - 2_000 - Date.now());
    const writing = writes.during(8_000);
    await sleep(2_000);
    probe.killed();
    killed = target;
    await cluster.killBroker(killed);
    console.log(`broker ${killed} killed at ${new Date().toISOString()}`);
    await writing;
    const pause = await verifyFiresAndWrites(run, start, expected, writes, () => probe?.expectDoubtThenSettled());
    console.log(`broker ${killed} killed: ${expected.size} fires verified (${writes.acknowledged.size} of ${writes.attempted.size} REST writes acknowledged); longest pause of a schedule ${pause} ms`);
  } catch (error) {
    for (const [i, node] of run.nodes.entries()) console.log(`--- node ${i} output (tail) ---\n${node.output().slice(-8000)}`);
    throw error;
  } finally {
    await probe?.stop();
    await stopPunctualProcesses(run.nodes);
    if (killed !== undefined) await cluster.restartBroker(killed);
  }
});

test('a hard bounce of the broker that is the group coordinator and the transaction coordinator of both nodes, under load: every fire and every acknowledged REST write exactly once', async () => {
  let target = -1;
  // Node ids whose transactional.ids the group's own coordinator coordinates too.
  const run = await startRun(async (groupId) => {
    target = (await coordinatorsOf(brokers, 'group', [groupId])).get(groupId) ?? -1;
    const candidates = Array.from({ length: 60 }, (_, i) => `n${i}`);
    const coordinators = await coordinatorsOf(brokers, 'transaction', candidates.map((name) => nodeTransactionalId(groupId, name)));
    const names = candidates.filter((name) => coordinators.get(nodeTransactionalId(groupId, name)) === target).slice(0, 2);
    if (names.length < 2) throw new Error(`fewer than two of 60 node ids are coordinated by broker ${target}`);
    return names;
  });
  let down = false;
  try {
    const start = Date.now() + 6_000;
    const expected = await createSchedules(run, start);
    const writes = new RestWrites(run);
    await sleep(start + KILL_AFTER_MS - 2_000 - Date.now());
    const writing = writes.during(12_000);
    await sleep(2_000);
    await cluster.killBroker(target);
    down = true;
    console.log(`broker ${target} (both coordinators) killed at ${new Date().toISOString()}`);
    await sleep(6_000);
    await cluster.restartBroker(target);
    down = false;
    console.log(`broker ${target} back at ${new Date().toISOString()}`);
    await writing;
    const pause = await verifyFiresAndWrites(run, start, expected, writes);
    console.log(`broker ${target} bounced: ${expected.size} fires verified (${writes.acknowledged.size} of ${writes.attempted.size} REST writes acknowledged); longest pause of a schedule ${pause} ms`);
  } catch (error) {
    for (const [i, node] of run.nodes.entries()) console.log(`--- node ${i} output (tail) ---\n${node.output().slice(-8000)}`);
    throw error;
  } finally {
    await stopPunctualProcesses(run.nodes);
    if (down) await cluster.restartBroker(target);
  }
});

/**
 * After a broker case's writes: waits past the last due time, stops the nodes, reads every target
 * partition up to its marker, and checks every expected fire and every acknowledged REST write
 * exactly once, nothing else; returns the longest pause of a schedule. `beforeStop` runs while the
 * nodes still run.
 */
async function verifyFiresAndWrites(run: Run, start: number, expected: Set<string>, writes: RestWrites, beforeStop?: () => Promise<void> | undefined): Promise<number> {
  for (const fireId of writes.acknowledged) expected.add(fireId);
  expect(writes.acknowledged.size).toBeGreaterThan(0);
  const lastDue = Math.max(start + (LIMIT - 1) * PERIOD_MS, writes.lastDue);
  await sleep(lastDue - Date.now() + 1_000);
  // Every expected fire is readable first; then no writer is left, and the markers end the read.
  await readCommittedUntil(port, run.topic, (seen) => containsAll(seen, expected), 60_000).catch(() => undefined);
  await beforeStop?.();
  await stopPunctualProcesses(run.nodes);
  const records = await readToMarkers(run.topic);
  const { duplicates } = fireReport(records);
  const seen = new Set(records.map((record) => record.headers['punctual-fire-id'] ?? '<none>'));
  const missing = [...expected].filter((id) => !seen.has(id));
  // A write answered 503 or not at all may have been applied; it must then fire once, like any other.
  const unexpected = [...seen].filter((id) => !expected.has(id) && !writes.attempted.has(id));
  expect({ duplicated: duplicates.slice(0, 10), duplicatedCount: duplicates.length }).toEqual({ duplicated: [], duplicatedCount: 0 });
  expect({ missing: missing.slice(0, 10), missingCount: missing.length }).toEqual({ missing: [], missingCount: 0 });
  expect(unexpected).toEqual([]);
  const pause = longestPause(records, (id) => (id.startsWith('bf/s') ? PERIOD_MS : undefined));
  expect(pause).toBeLessThan(MAX_PAUSE_MS);
  return pause;
}

/** A member of a group of its own, coordinated by the broker about to be killed, recording what its listener hears. */
class GroupProbe {
  private killedAt = -1;

  private constructor(
    private readonly consumer: GroupConsumer,
    private readonly events: string[],
  ) {}

  static async start(run: Run, coordinator: number): Promise<GroupProbe> {
    const groupId = await groupCoordinatedBy(coordinator);
    const events: string[] = [];
    const record = (event: string): void => void events.push(event);
    const consumer = port.createGroupConsumer({
      groupId,
      topics: [run.definitions],
      fromBeginning: true,
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 600,
      listener: {
        onAssigned: async (partitions) => record(`assigned ${partitions.length}`),
        onRevoked: async (partitions) => record(`revoked ${partitions.length}`),
        onRecords: async () => undefined,
        onRejoining: () => record('rejoining'),
        onMembershipConfirmed: async () => record('confirmed'),
      },
    });
    await consumer.start();
    await waitFor('the probe to own every partition', () => events.includes(`assigned ${PARTITIONS}`), { timeoutMs: 30_000 });
    return new GroupProbe(consumer, events);
  }

  killed(): void {
    this.killedAt = this.events.length;
  }

  /**
   * After the kill: a doubt or a revocation comes first; then the membership is settled by an
   * assignment (after a rejoin) or a confirmation (a heartbeat of the same generation succeeded),
   * and the probe owns every partition again.
   */
  async expectDoubtThenSettled(): Promise<void> {
    const owned = (): number =>
      this.events.reduce((count, event) => {
        const [kind, partitions] = event.split(' ');
        return kind === 'assigned' ? count + Number(partitions) : kind === 'revoked' ? count - Number(partitions) : count;
      }, 0);
    await waitFor('the probe to own every partition again', () => this.events.slice(this.killedAt).some((event) => /^(assigned|confirmed)/.test(event)) && owned() === PARTITIONS, {
      timeoutMs: 60_000,
    });
    expect(this.events.slice(this.killedAt)[0]).toMatch(/^(rejoining|revoked)/);
  }

  /** Idempotent, like the consumer's stop. */
  stop(): Promise<void> {
    return this.consumer.stop();
  }
}

/** A fresh group id whose coordinator is `broker`. */
async function groupCoordinatedBy(broker: number): Promise<string> {
  const candidates = Array.from({ length: 60 }, () => uniqueName('probe'));
  const coordinators = await coordinatorsOf(brokers, 'group', candidates);
  const groupId = candidates.find((candidate) => coordinators.get(candidate) === broker);
  if (!groupId) throw new Error(`no group among 60 candidates is coordinated by broker ${broker}`);
  return groupId;
}

/** Two nodes of a group of their own; `nodeNames` picks their node ids once the group id is known. */
async function startRun(nodeNames: (groupId: string) => Promise<string[]> = async () => ['a', 'b']): Promise<Run> {
  const prefix = uniqueName('bf');
  const env: Record<string, string> = {
    ...isolatedNodeEnv(prefix),
    KAFKA_BROKERS: brokers.join(','),
    PUNCTUAL_PARTITIONS: String(PARTITIONS),
    PUNCTUAL_SESSION_TIMEOUT_MS: '6000',
    PUNCTUAL_HTTP_PORT: '0',
    PUNCTUAL_LOG_LEVEL: process.env.PUNCTUAL_TEST_LOGS ? 'debug' : 'info',
  };
  const names = await nodeNames(env.PUNCTUAL_GROUP_ID ?? '');
  const nodes = names.map((name) => startPunctualProcess({ ...env, PUNCTUAL_NODE_ID: name, PUNCTUAL_DATA_DIR: path.join(os.tmpdir(), 'punctual-test-data', prefix, name) }));
  const run: Run = { env, groupId: env.PUNCTUAL_GROUP_ID ?? '', definitions: env.PUNCTUAL_TOPIC_DEFINITIONS ?? '', topic: uniqueName('out'), nodes, nodeNames: names, urls: [] };
  try {
    run.urls = (await Promise.all(nodes.map((node) => node.ready()))).map((httpPort) => `http://127.0.0.1:${httpPort}`);
    // Both nodes own a share once the second join settled, and run it (ready: 200), so a write finds its owner's task up.
    await waitFor('both nodes to own partitions and run them', async () => {
      const owned = await Promise.all(
        run.urls.map(async (url) => {
          const response = await fetch(`${url}/health/ready`);
          return response.ok ? (((await response.json()) as { partitions?: number[] }).partitions?.length ?? 0) : 0;
        }),
      );
      return owned.every((count) => count > 0) && owned.reduce((a, b) => a + b, 0) === PARTITIONS;
    }, { timeoutMs: 60_000, intervalMs: 200 });
  } catch (error) {
    await stopPunctualProcesses(nodes);
    throw error;
  }
  return run;
}

/**
 * light-scheduler's INSERT of SCHEDULES fixed-rate schedules, half through each node; returns their
 * fire ids. A schedule has no occurrence before its definition record's timestamp (a POST that
 * reached Kafka after `start`, on a loaded machine), so the ids are counted from there, read from
 * the definitions topic: LIMIT occurrences from the first at or after both.
 */
async function createSchedules(run: Run, start: number): Promise<Set<string>> {
  await Promise.all(
    Array.from({ length: SCHEDULES }, async (_, i) => {
      const body = {
        host: 'bf',
        name: `s${i}`,
        action: 'INSERT',
        frequency: { timeUnit: 'MILLISECONDS', time: PERIOD_MS },
        start: new Date(start).toISOString(),
        limit: LIMIT,
        misfire: 'fire-all',
        topic: run.topic,
      };
      const response = await fetch(`${run.urls[i % run.urls.length]}/schedulers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (response.status !== 202) throw new Error(`creating bf/s${i}: ${response.status} ${await response.text()}`);
    }),
  );
  const definitions = await readCommittedUntil(port, run.definitions, (seen) => new Set(seen.map((r) => r.key?.toString())).size >= SCHEDULES);
  const expected = new Set<string>();
  let late = 0;
  for (const record of definitions) {
    const first = start + Math.max(0, Math.ceil((record.timestamp - start) / PERIOD_MS)) * PERIOD_MS;
    if (first > start) late++;
    for (let k = 0; k < LIMIT; k++) expected.add(`${record.key?.toString() ?? ''}@${first + k * PERIOD_MS}`);
  }
  if (late > 0) console.log(`${late} of ${SCHEDULES} definitions reached Kafka after the common start: their runs start later`);
  await waitForTopic(port, run.topic);
  return expected;
}

/** One-shot schedules written with PUT while the broker dies, two writers per node, each due 3 s after its write. */
class RestWrites {
  /** Fire id of every write answered 2xx. */
  readonly acknowledged = new Set<string>();
  /** Fire id of every write sent, whatever the answer. */
  readonly attempted = new Set<string>();
  lastDue = 0;
  private next = 0;

  constructor(private readonly run: Run) {}

  async during(durationMs: number): Promise<void> {
    const until = Date.now() + durationMs;
    await Promise.all([...this.run.urls, ...this.run.urls].map((url) => this.writer(url, until)));
  }

  private async writer(url: string, until: number): Promise<void> {
    while (Date.now() < until) {
      const name = `w${this.next++}`;
      const at = Date.now() + 3_000;
      const fireId = `bfw/${name}@${at}`;
      this.attempted.add(fireId);
      this.lastDue = Math.max(this.lastDue, at);
      try {
        const response = await fetch(`${url}/v1/schedules/bfw/${name}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ at: new Date(at).toISOString(), topic: this.run.topic, misfire: 'fire-all' }),
          signal: AbortSignal.timeout(20_000),
        });
        if (response.status >= 200 && response.status < 300) this.acknowledged.add(fireId);
        else await sleep(100);
      } catch {
        // No answer: the write may or may not have been applied, like a 503.
      }
    }
  }
}

/** Every committed record of `topic`, read up to markers appended to each of its partitions (nothing else writes to it any more). */
async function readToMarkers(topic: string): Promise<IncomingRecord[]> {
  return readAllUpToMarkers(port, topic, (await leadersOf(brokers, topic)).length, 120_000);
}

function mostCommon(values: number[]): number {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? -1;
}

// ---------------------------------------------------------------------------------------------
// Node faults on the same cluster: processes killed or frozen at each step of their transaction,
// at random, and rebalanced in a storm, while schedules fire. Every run ends with the verifier.
// ---------------------------------------------------------------------------------------------

const FAULT_PARTITIONS = 6;
const FAULT_SESSION_TIMEOUT_MS = 3_000;
/** Long enough that waiting it out would show in the pause bound: a dead owner's transaction is fenced instead. */
const FAULT_TRANSACTION_TIMEOUT_MS = 30_000;
const FAULT_SCHEDULES = 80;
const FAULT_PERIOD_MS = 200;
/**
 * Longest a schedule may pause after a node dies: the session timeout for the group to notice, the
 * rebalance, the 1 s a new owner waits on the dead node's open transaction before it fences it, and
 * the restore; far less than FAULT_TRANSACTION_TIMEOUT_MS, which waiting for the coordinator would take.
 */
const MAX_NODE_FAULT_PAUSE_MS = 4 * FAULT_SESSION_TIMEOUT_MS;

function nodeFaultRun(): Promise<FaultRun> {
  return faultRun(port, brokers, { partitions: FAULT_PARTITIONS, sessionTimeoutMs: FAULT_SESSION_TIMEOUT_MS, transactionTimeoutMs: FAULT_TRANSACTION_TIMEOUT_MS, targetPartitions: 3 });
}

async function urlOf(node: PunctualProcess): Promise<string> {
  return `http://127.0.0.1:${await node.ready()}`;
}

/** How many times the survivors fenced a transaction a dead or frozen owner left open. */
function fencesIn(run: FaultRun): number {
  return run.processes.reduce((count, node) => count + (node.output().match(/fencing a transaction a previous owner left open/g)?.length ?? 0), 0);
}

test('kill -9 of a node at each step of its transaction (after the sends, after the offsets, during and after the commit): every fire exactly once', async () => {
  const run = await nodeFaultRun();
  await withNodeLogs(run, async () => {
    await Promise.all(['a', 'b'].map((name) => run.start(name).ready()));
    const start = Date.now() + 3_000;
    // Long enough that every victim finds fires to commit, however slow the machine: four victims
    // take about 30 s; the schedules go on for 70.
    const end = start + 70_000;
    const expected = await defineFixedRate(port, run, FAULT_SCHEDULES, FAULT_PERIOD_MS, start, end);
    await sleep(start - Date.now() + 2_000);
    // One node at a time joins with a fault, takes partitions, and dies at the step of its first transaction that carries fires.
    for (const step of TRANSACTION_STEPS) {
      const victim = run.start(`f-${step}`, { PUNCTUAL_TEST_FAULT: `${step}:SIGKILL:1` });
      const died = await Promise.race([victim.exited.then(() => true), sleep(45_000).then(() => false)]);
      if (!died) throw new Error(`the node with the fault at "${step}" did not strike within 45 s`);
      expect(victim.child.signalCode).toBe('SIGKILL');
      await sleep(3_000);
    }
    await sleep(Math.max(0, end - Date.now()) + 2_000);
    const verified = await verifyExactlyOnce(port, run, expected, FAULT_PERIOD_MS);
    console.log(`kill at every transaction step: ${verified.fires} fires verified; ${fencesIn(run)} open transactions fenced; longest pause ${verified.longestPauseMs} ms`);
    // Killed after its sends and after its offsets, a node leaves a transaction open at least twice.
    expect(fencesIn(run)).toBeGreaterThanOrEqual(2);
    expect(verified.longestPauseMs).toBeLessThan(MAX_NODE_FAULT_PAUSE_MS);
  });
});

test('a zombie: a node frozen past its session timeout holding an open transaction commits nothing when thawed, and rejoins', async () => {
  const run = await nodeFaultRun();
  await withNodeLogs(run, async () => {
    await Promise.all(['a', 'b'].map((name) => run.start(name).ready()));
    const start = Date.now() + 3_000;
    const end = start + 30_000;
    const expected = await defineFixedRate(port, run, FAULT_SCHEDULES, FAULT_PERIOD_MS, start, end);
    await sleep(start - Date.now() + 2_000);
    const zombie = run.start('z', { PUNCTUAL_TEST_FAULT: 'sent:SIGSTOP:1' });
    const pid = zombie.child.pid ?? -1;
    // Its first transaction may come before its ready line, so the freeze is awaited first.
    await waitFor('the zombie to freeze mid-transaction', () => processState(pid) === 'T', { timeoutMs: 60_000, intervalMs: 50 });
    // Its partitions move on, and their new owners fence its open transaction.
    await sleep(3 * FAULT_SESSION_TIMEOUT_MS);
    const fencedWhileFrozen = fencesIn(run);
    zombie.child.kill('SIGCONT');
    await waitOwnsPartitions(await urlOf(zombie));
    await sleep(Math.max(0, end - Date.now()) + 2_000);
    const output = zombie.output();
    const verified = await verifyExactlyOnce(port, run, expected, FAULT_PERIOD_MS);
    console.log(`zombie: ${verified.fires} fires verified; longest pause ${verified.longestPauseMs} ms`);
    expect(fencedWhileFrozen).toBeGreaterThanOrEqual(1);
    // Thawed, its transaction failed (fenced, or refused for the generation) and it rebuilt.
    expect(output).toMatch(/"msg":"transaction failed"/);
    expect(verified.longestPauseMs).toBeLessThan(MAX_NODE_FAULT_PAUSE_MS);
  });
});

test('a rebalance storm, 1 -> 3 -> 2 -> 3 nodes, under load: every fire exactly once', async () => {
  const run = await nodeFaultRun();
  await withNodeLogs(run, async () => {
    await run.start('a').ready();
    const start = Date.now() + 2_000;
    const end = start + 24_000;
    const expected = await defineFixedRate(port, run, FAULT_SCHEDULES, FAULT_PERIOD_MS, start, end);
    await sleep(start - Date.now() + 3_000);
    await Promise.all([run.start('b').ready(), run.start('c').ready()]);
    await sleep(3_000);
    const b = run.node('b');
    b.child.kill('SIGTERM');
    await b.exited;
    await sleep(3_000);
    await run.start('b').ready();
    await sleep(Math.max(0, end - Date.now()) + 2_000);
    const verified = await verifyExactlyOnce(port, run, expected, FAULT_PERIOD_MS);
    console.log(`rebalance storm: ${verified.fires} fires verified; longest pause ${verified.longestPauseMs} ms`);
  });
});

test('a random kill -9 every few seconds under load, each node restarted: every fire exactly once', async () => {
  const run = await nodeFaultRun();
  await withNodeLogs(run, async () => {
    const names = ['a', 'b', 'c'];
    await Promise.all(names.map((name) => run.start(name).ready()));
    const start = Date.now() + 2_000;
    const end = start + 30_000;
    const expected = await defineFixedRate(port, run, FAULT_SCHEDULES, FAULT_PERIOD_MS, start, end);
    await sleep(start - Date.now() + 2_000);
    let seed = 7;
    for (let kill = 0; kill < 5; kill++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const name = names[seed % names.length] ?? 'a';
      const victim = run.node(name);
      victim.child.kill('SIGKILL');
      await victim.exited;
      run.start(name);
      await sleep(2_000 + (seed % 3_000));
    }
    await sleep(Math.max(0, end - Date.now()) + 2_000);
    const verified = await verifyExactlyOnce(port, run, expected, FAULT_PERIOD_MS);
    console.log(`random kills: ${verified.fires} fires verified; longest pause ${verified.longestPauseMs} ms`);
  });
});
