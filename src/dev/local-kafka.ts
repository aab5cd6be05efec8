/**
 * A real Apache Kafka for development and tests: one KRaft node, or a cluster of three, on loopback.
 *
 * Each node runs in its own JVM under a small shell watchdog that kills the JVM when the Node.js
 * process that started it disappears (even by kill -9), so no broker outlives its owner. stop() ends
 * every JVM (SIGTERM, then SIGKILL after a grace period) and deletes the temporary data.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KafkajsPort } from '../kafka/kafkajs/kafkajs-port';
import type { Admin } from '../kafka/port';
import { silentLogger } from '../log/logger';
import { ensureKafkaJars } from './kafka-distribution';
import { freePort } from './free-port';
import { OFFSETS_TOPIC_PARTITIONS, kraftProperties, type KraftNode } from './kraft-config';
import { coordinatorPartition } from './coordinator-partition';
import { sleep } from '../util/sleep';

export interface LocalKafkaOptions {
  /** 1 (default) or 3. */
  brokers?: number;
  /** Port of the first broker; the others, and all controllers, take free ports. */
  port?: number;
  /**
   * One broker only: the port it advertises to clients instead of its own, where a proxy in front
   * of it listens (dev/kafka-fault-proxy.ts). `bootstrap` names it too.
   */
  advertisedPort?: number;
  /** Broker properties that replace or add to the defaults (kraft-config.ts), for tests of broker behaviour. */
  brokerConfig?: Record<string, string | number>;
  heapMb?: number;
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

interface RunningNode extends KraftNode {
  dir: string;
  process: ChildProcess;
  exited: Promise<number | null>;
}

interface Launch {
  libs: string;
  heapMb: number;
}

const STOP_GRACE_MS = 15_000;

export class LocalKafka {
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly root: string,
    private readonly nodes: RunningNode[],
    private readonly launchWith: Launch,
  ) {}

  /** `host:port,...` of every broker, for KAFKA_BROKERS. */
  get bootstrap(): string {
    return this.nodes.map((node) => `127.0.0.1:${node.advertisedPort ?? node.brokerPort}`).join(',');
  }

  get brokerPids(): number[] {
    return this.nodes.map((node) => node.process.pid ?? -1);
  }

  /** Broker node ids (1, 2, 3), as the cluster metadata names them. */
  get nodeIds(): number[] {
    return this.nodes.map((node) => node.nodeId);
  }

  /**
   * Kills one broker's JVM with SIGKILL, as a machine failure would: no controlled shutdown, no
   * leadership handed over. Resolves once the JVM is gone.
   */
  async killBroker(nodeId: number): Promise<void> {
    const node = this.node(nodeId);
    if (hasExited(node)) return;
    // The watchdog notices its JVM is gone within a second and exits.
    killJvm(node);
    await node.exited;
  }

  /**
   * Starts a killed broker again on its data directory, waits until the cluster has every broker, and
   * hands every partition back to its preferred leader: a restarted broker leads nothing until then
   * (nor coordinates any group or transaction), so the next fault would start from a lopsided cluster.
   */
  async restartBroker(nodeId: number, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const index = this.nodes.findIndex((node) => node.nodeId === nodeId);
    const node = this.node(nodeId);
    if (!hasExited(node)) throw new Error(`Kafka node ${nodeId} is still running`);
    this.nodes[index] = launch(this.launchWith.libs, node, this.launchWith.heapMb);
    await this.waitUntilReady(timeoutMs);
    await this.electPreferredLeaders(deadline);
  }

  /**
   * The state the transaction coordinator holds for `transactionalId` (Ongoing, PrepareAbort,
   * CompleteAbort, ...), as Kafka's own TransactionsCommand describes it.
   */
  async transactionState(transactionalId: string): Promise<string> {
    const args = ['-cp', `${this.launchWith.libs}/*`, ...quietLogging(), 'org.apache.kafka.tools.TransactionsCommand', '--bootstrap-server', this.bootstrap, 'describe', '--transactional-id', transactionalId];
    const { code, output } = await runToEnd('java', args);
    const lines = output.trim().split('\n');
    const header = lines.findIndex((line) => line.includes('TransactionState'));
    const columns = lines[header]?.trim().split(/\s+/) ?? [];
    const values = lines[header + 1]?.trim().split(/\s+/) ?? [];
    const state = values[columns.indexOf('TransactionState')];
    if (code !== 0 || state === undefined) throw new Error(`TransactionsCommand describe failed (exit ${code}):\n${output.slice(-2000)}`);
    return state;
  }

  /** Kafka's own LeaderElectionCommand, again until it succeeds: it fails while a preferred replica is not back in sync. */
  private async electPreferredLeaders(deadline: number): Promise<void> {
    const args = ['-cp', `${this.launchWith.libs}/*`, ...quietLogging(), 'org.apache.kafka.tools.LeaderElectionCommand',
      '--bootstrap-server', this.bootstrap, '--election-type', 'PREFERRED', '--all-topic-partitions'];
    for (;;) {
      const { code, output } = await runToEnd('java', args);
      if (code === 0) return;
      if (Date.now() > deadline) throw new Error(`preferred leader election did not succeed in time (exit ${code}):\n${output.slice(-2000)}`);
      await sleep(1_000);
    }
  }

  static async start(options: LocalKafkaOptions = {}): Promise<LocalKafka> {
    const count = options.brokers ?? 1;
    if (count !== 1 && count !== 3) throw new Error(`--brokers must be 1 or 3, got ${count}`);
    if (options.advertisedPort !== undefined && count !== 1) throw new Error('advertisedPort needs a single broker');
    const log = options.log ?? (() => undefined);
    const libs = await ensureKafkaJars(log);
    const root = await mkdtemp(path.join(os.tmpdir(), 'punctual-kafka-'));
    let planned: (KraftNode & { dir: string })[];
    try {
      planned = await planNodes(root, count, options.port);
      if (options.advertisedPort !== undefined && planned[0]) planned[0].advertisedPort = options.advertisedPort;
      const clusterId = newClusterId();
      await Promise.all(planned.map((node) => formatStorage(libs, node, planned, clusterId, options.brokerConfig ?? {})));
    } catch (error) {
      await rm(root, { recursive: true, force: true });
      throw error;
    }
    const heapMb = options.heapMb ?? 512;
    const nodes = planned.map((node) => launch(libs, node, heapMb));
    const kafka = new LocalKafka(root, nodes, { libs, heapMb });
    try {
      await kafka.waitUntilReady(options.startTimeoutMs ?? 90_000);
    } catch (error) {
      await kafka.stop();
      throw error;
    }
    return kafka;
  }

  /** Idempotent: every call waits for the same shutdown. */
  stop(): Promise<void> {
    this.stopping ??= this.stopNodes();
    return this.stopping;
  }

  private async stopNodes(): Promise<void> {
    await Promise.all(this.nodes.map((node) => stopNode(node)));
    await rm(this.root, { recursive: true, force: true });
  }

  private node(nodeId: number): RunningNode {
    const node = this.nodes.find((candidate) => candidate.nodeId === nodeId);
    if (!node) throw new Error(`no Kafka node ${nodeId} (nodes: ${this.nodeIds.join(', ')})`);
    return node;
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const port = new KafkajsPort({ brokers: this.bootstrap.split(','), clientId: 'punctual-local-kafka', logger: silentLogger });
    let lastError: unknown;
    while (Date.now() < deadline) {
      const dead = this.nodes.find(hasExited);
      if (dead) throw new Error(`Kafka node ${dead.nodeId} exited during start-up:\n${await logTail(dead)}`);
      const admin = port.createAdmin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === this.nodes.length) {
          await waitForGroupCoordinators(admin, deadline);
          return;
        }
        lastError = new Error(`${cluster.brokers.length} of ${this.nodes.length} brokers registered`);
      } catch (error) {
        lastError = error;
      } finally {
        await admin.close().catch(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`Kafka did not answer within ${timeoutMs} ms: ${String(lastError)}`);
  }
}

/**
 * A new cluster creates __consumer_offsets on the first coordinator lookup and then loads its
 * partitions one by one; until a group's partition is loaded, commits for the group are refused
 * with NOT_COORDINATOR (for over a second on this machine, longer than kafkajs retries a
 * transaction's offset commit). The cluster is ready once every partition answers an offset fetch.
 */
async function waitForGroupCoordinators(admin: Admin, deadline: number): Promise<void> {
  const groups = groupsCoveringOffsetsPartitions(OFFSETS_TOPIC_PARTITIONS);
  await Promise.all(
    groups.map(async (group) => {
      for (;;) {
        try {
          await admin.fetchStableOffsets(group, [{ topic: '__punctual_ready', partition: 0 }], 1_000);
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await sleep(200);
        }
      }
    }),
  );
}

/** One group id per __consumer_offsets partition of the local cluster. */
export function groupsCoveringOffsetsPartitions(partitions: number): string[] {
  const groups = new Map<number, string>();
  for (let i = 0; groups.size < partitions; i++) {
    const group = `punctual-ready-${i}`;
    const partition = coordinatorPartition(group, partitions);
    if (!groups.has(partition)) groups.set(partition, group);
  }
  return [...groups.values()];
}

async function planNodes(root: string, count: number, firstPort: number | undefined): Promise<(KraftNode & { dir: string })[]> {
  const nodes: (KraftNode & { dir: string })[] = [];
  for (let i = 0; i < count; i++) {
    const dir = path.join(root, `node-${i + 1}`);
    await mkdir(dir, { recursive: true });
    const brokerPort = i === 0 && firstPort !== undefined ? firstPort : await freePort();
    nodes.push({ nodeId: i + 1, brokerPort, controllerPort: await freePort(), logDir: path.join(dir, 'data'), dir });
  }
  return nodes;
}

/**
 * A random cluster id as Kafka writes them (16 bytes, base64url). Like Kafka's own Uuid.randomUuid(),
 * never one starting with "-" (1 random id in 64 does): kafka-storage would read it as an option, and
 * formatting failed with "argument --cluster-id/-t: expected one argument".
 */
export function newClusterId(random: () => Buffer = () => randomBytes(16)): string {
  for (;;) {
    const id = random().toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function formatStorage(libs: string, node: KraftNode & { dir: string }, cluster: KraftNode[], clusterId: string, overrides: Record<string, string | number>): Promise<void> {
  const config = path.join(node.dir, 'server.properties');
  await writeFile(config, kraftProperties(node, cluster, overrides));
  const args = ['-cp', `${libs}/*`, ...quietLogging(), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config];
  const { code, output } = await runToEnd('java', args);
  if (code !== 0) throw new Error(`formatting storage of Kafka node ${node.nodeId} failed (exit ${code}):\n${output}`);
}

function launch(libs: string, node: KraftNode & { dir: string }, heapMb: number): RunningNode {
  const java = ['java', `-Xms64m`, `-Xmx${heapMb}m`, '-XX:+UseG1GC', '-Djava.awt.headless=true', ...quietLogging(),
    '-cp', `'${libs}/*'`, 'kafka.Kafka', `'${path.join(node.dir, 'server.properties')}'`].join(' ');
  // The watchdog: run the JVM, end it on TERM/INT, and end it when the parent Node.js process is gone.
  const script = [
    `${java} >> '${path.join(node.dir, 'broker.log')}' 2>&1 &`,
    'jvm=$!',
    'trap \'kill -TERM $jvm 2>/dev/null; wait $jvm; exit 0\' TERM INT',
    `while kill -0 ${process.pid} 2>/dev/null && kill -0 $jvm 2>/dev/null; do sleep 1; done`,
    // When the parent is gone nobody else will delete this node's data; a crashed JVM keeps its log for the parent.
    'kill -TERM $jvm 2>/dev/null; wait $jvm',
    `kill -0 ${process.pid} 2>/dev/null || { rm -rf '${node.dir}'; rmdir '${path.dirname(node.dir)}' 2>/dev/null; }`,
  ].join('\n');
  const child = spawn('sh', ['-c', script], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { ...node, process: child, exited };
}

function hasExited(node: RunningNode): boolean {
  return node.process.exitCode !== null || node.process.signalCode !== null;
}

async function stopNode(node: RunningNode): Promise<void> {
  if (hasExited(node)) return;
  node.process.kill('SIGTERM');
  const timer = setTimeout(() => killHard(node), STOP_GRACE_MS);
  await node.exited;
  clearTimeout(timer);
}

/**
 * The JVM is the watchdog shell's only child. It is killed first and synchronously: killed after the
 * shell, it would belong to init and pkill by parent pid would no longer find it.
 */
function killHard(node: RunningNode): void {
  killJvm(node);
  node.process.kill('SIGKILL');
}

function killJvm(node: RunningNode): void {
  if (node.process.pid === undefined) return;
  // pkill exits 1 when nothing matched (the JVM already gone).
  spawnSync('pkill', ['-KILL', '-P', String(node.process.pid)], { stdio: 'ignore' });
}

function quietLogging(): string[] {
  return ['-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-Dlog4j2.level=WARN'];
}

async function logTail(node: RunningNode): Promise<string> {
  const file = path.join(node.dir, 'broker.log');
  if (!existsSync(file)) return '(no broker log)';
  return (await readFile(file, 'utf8')).slice(-4000);
}

function runToEnd(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => reject(new Error(`cannot run ${command}: ${error.message}; install Java 17+`)));
    child.on('exit', (code) => resolve({ code, output }));
  });
}
