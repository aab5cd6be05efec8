/** Starts Punctual nodes in-process against the test broker, each test with its own topics and group. */
import os from 'node:os';
import path from 'node:path';
import type { TlsFiles } from '../../src/api/http-app';
import { startPunctualApp } from '../../src/app/punctual-app';
import { ensureInternalTopics } from '../../src/cluster/internal-topics';
import { PunctualNode } from '../../src/cluster/punctual-node';
import { loadConfig, type PunctualConfig } from '../../src/config/config';
import { isolatedNodeEnv } from '../../src/dev/isolated-node-env';
import { systemClock } from '../../src/domain/clock';
import type { KafkaPort } from '../../src/kafka/port';
import { createLogger, silentLogger } from '../../src/log/logger';
import { testBrokers, uniqueName } from './kafka';

/** Environment for a node with its own topics and group (`<prefix>.definitions`, ...), as a test needs. */
export function uniqueNodeEnv(prefix = uniqueName('p')): Record<string, string> {
  return {
    KAFKA_BROKERS: testBrokers().join(','),
    ...isolatedNodeEnv(prefix),
    PUNCTUAL_PARTITIONS: '3',
    PUNCTUAL_SESSION_TIMEOUT_MS: '6000',
    PUNCTUAL_HTTP_PORT: '0',
    PUNCTUAL_DATA_DIR: path.join(os.tmpdir(), 'punctual-test-data', prefix),
  };
}

/** A node configuration with unique topic names and group; set PUNCTUAL_TEST_LOGS=1 to see node logs. */
export function testConfig(env: Record<string, string> = {}): PunctualConfig {
  return loadConfig({ ...uniqueNodeEnv(), ...env });
}

/** The same cluster's configuration for another node: its own data folder (and so its own node id). */
export function anotherNode(config: PunctualConfig, name: string): PunctualConfig {
  return { ...config, dataDir: `${config.dataDir}-${name}` };
}

export async function startNode(port: KafkaPort, config: PunctualConfig): Promise<PunctualNode> {
  const admin = port.createAdmin();
  await admin.connect();
  try {
    await ensureInternalTopics(admin, config);
  } finally {
    await admin.close();
  }
  const logger = process.env.PUNCTUAL_TEST_LOGS ? createLogger('debug') : silentLogger;
  const node = new PunctualNode({ config, port, clock: systemClock, logger });
  await node.start();
  await node.ready;
  return node;
}

export function definitionRecord(topic: string, body: Record<string, unknown>): { topic: string; key: string; value: string } {
  return { topic, key: `${String(body.host)}/${String(body.name)}`, value: JSON.stringify(body) };
}

export interface ApiNode {
  node: PunctualNode;
  url: string;
  stop(): Promise<void>;
}

/** A node with its whole HTTP API (schedules, health, metrics) on a free port, advertised to the group: the wiring `npm start` uses. */
export async function startApiNode(port: KafkaPort, config: PunctualConfig, tls?: TlsFiles): Promise<ApiNode> {
  const logger = process.env.PUNCTUAL_TEST_LOGS ? createLogger('debug') : silentLogger;
  const app = await startPunctualApp({ config, port, clock: systemClock, logger, httpPort: 0, ...(tls ? { tls } : {}) });
  return { node: app.node, url: app.url, stop: () => app.close() };
}
