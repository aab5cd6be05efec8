/** Punctual nodes of the benchmark: the real entry point (dist/src/main.js) as its own process. */
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureInternalTopics } from '../cluster/internal-topics';
import { loadConfig } from '../config/config';
import { isolatedNodeEnv } from '../dev/isolated-node-env';
import { startPunctualProcess, type PunctualProcess } from '../dev/punctual-process';
import type { KafkaPort } from '../kafka/port';

export interface NodeSetup {
  env: Record<string, string>;
  groupId: string;
  definitionsTopic: string;
  calendarsTopic: string;
  dataDir: string;
}

/** Topics, group and data folder of one benchmark cluster, the internal topics created up front. */
export async function nodeSetup(port: KafkaPort, extra: Record<string, string> = {}): Promise<NodeSetup> {
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const dataDir = path.join(os.tmpdir(), 'punctual-bench', prefix);
  const env = {
    KAFKA_BROKERS: port.brokers.join(','),
    ...isolatedNodeEnv(prefix),
    PUNCTUAL_HTTP_PORT: '0',
    PUNCTUAL_LOG_LEVEL: 'warn',
    ...extra,
  };
  const config = loadConfig({ ...env, PUNCTUAL_DATA_DIR: dataDir });
  const admin = port.createAdmin();
  await admin.connect();
  try {
    await ensureInternalTopics(admin, config);
  } finally {
    await admin.close();
  }
  return { env, groupId: config.groupId, definitionsTopic: config.topics.definitions, calendarsTopic: config.topics.calendars, dataDir };
}

export class BenchNode {
  private constructor(
    readonly process: PunctualProcess,
    /** When the process was spawned (epoch ms). */
    readonly spawnedAt: number,
  ) {}

  /**
   * Spawns a node (`instance` picks its own data folder) and waits for its ready line. BENCH_NODE_ARGS
   * passes node flags, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the nodes.
   */
  static async start(setup: NodeSetup, instance = 'a'): Promise<BenchNode> {
    const spawnedAt = Date.now();
    const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = startPunctualProcess({ ...setup.env, PUNCTUAL_DATA_DIR: path.join(setup.dataDir, instance) }, nodeArgs);
    const node = new BenchNode(child, spawnedAt);
    await child.ready(180_000);
    return node;
  }

  /** Resident set size of the node process, from /proc. */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.process.child.pid}/status`, 'utf8');
    const kilobytes = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    if (kilobytes === undefined) throw new Error(`no VmRSS for pid ${this.process.child.pid}`);
    return Number(kilobytes) * 1024;
  }

  /** Graceful stop (SIGTERM), as an operator restarts a node. */
  async stop(): Promise<void> {
    if (this.process.child.exitCode !== null) return;
    this.process.child.kill('SIGTERM');
    await this.process.exited;
  }

  async kill(): Promise<void> {
    if (this.process.child.exitCode !== null) return;
    this.process.child.kill('SIGKILL');
    await this.process.exited;
  }
}

export function removeData(setup: NodeSetup): void {
  rmSync(setup.dataDir, { recursive: true, force: true });
}
