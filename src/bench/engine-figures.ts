/**
 * `npm run measure:engine [-- --schedules N --fires M]`: measures on this machine, against a local
 * broker (or KAFKA_BROKERS): ingest rate, restore time with N pending schedules through the
 * checkpoint path and the full path, and single-node fire throughput for M one-shots due at once.
 * Not part of `npm test`; the benchmark suite builds on it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureInternalTopics } from '../cluster/internal-topics';
import { PunctualNode } from '../cluster/punctual-node';
import { loadConfig, type PunctualConfig } from '../config/config';
import { LocalKafka } from '../dev/local-kafka';
import { systemClock } from '../domain/clock';
import { KafkajsPort } from '../kafka/kafkajs/kafkajs-port';
import type { KafkaPort, OutgoingRecord } from '../kafka/port';
import { createLogger } from '../log/logger';

interface Args {
  schedules: number;
  fires: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { schedules: 100_000, fires: 50_000 };
  for (let i = 0; i < argv.length; i += 2) {
    const value = Number(argv[i + 1]);
    if (argv[i] === '--schedules' && Number.isInteger(value) && value > 0) args.schedules = value;
    else if (argv[i] === '--fires' && Number.isInteger(value) && value > 0) args.fires = value;
    else throw new Error(`usage: npm run measure:engine -- [--schedules N] [--fires M], got ${argv.join(' ')}`);
  }
  return args;
}

const logger = createLogger('warn');

async function produce(port: KafkaPort, records: OutgoingRecord[]): Promise<void> {
  const producer = port.createProducer();
  await producer.connect();
  for (let i = 0; i < records.length; i += 5_000) await producer.send(records.slice(i, i + 5_000));
  await producer.close();
}

function definitions(config: PunctualConfig, prefix: string, count: number, timing: (i: number) => Record<string, unknown>, topic: string): OutgoingRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    topic: config.topics.definitions,
    key: `${prefix}/s${i}`,
    value: JSON.stringify({ host: prefix, name: `s${i}`, action: 'INSERT', topic, ...timing(i) }),
  }));
}

async function committedTotal(port: KafkaPort, config: PunctualConfig): Promise<number> {
  const admin = port.createAdmin();
  await admin.connect();
  try {
    const offsets = await admin.fetchCommittedOffsets(config.groupId, config.topics.definitions);
    return offsets.reduce((sum, { offset }) => sum + Math.max(0, offset), 0);
  } finally {
    await admin.close();
  }
}

async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function startNode(port: KafkaPort, config: PunctualConfig): Promise<{ node: PunctualNode; readyMs: number; restoredRecords: number; slowestRestoreMs: number }> {
  const started = Date.now();
  const node = new PunctualNode({ config, port, clock: systemClock, logger });
  await node.start();
  await node.ready;
  const restores = [...node.taskStats().values()].map((stats) => stats.restore);
  return {
    node,
    readyMs: Date.now() - started,
    restoredRecords: restores.reduce((sum, restore) => sum + (restore?.records ?? 0), 0),
    slowestRestoreMs: Math.max(...restores.map((restore) => restore?.durationMs ?? 0)),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let local: LocalKafka | undefined;
  let brokers = process.env.KAFKA_BROKERS?.split(',').filter(Boolean) ?? [];
  if (brokers.length === 0) {
    local = await LocalKafka.start({ log: (line) => console.error(line) });
    brokers = local.bootstrap.split(',');
  }
  const prefix = `m${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'punctual-measure-'));
  const config = loadConfig({
    KAFKA_BROKERS: brokers.join(','),
    PUNCTUAL_GROUP_ID: `${prefix}.group`,
    PUNCTUAL_TOPIC_DEFINITIONS: `${prefix}.definitions`,
    PUNCTUAL_TOPIC_CHANGELOG: `${prefix}.changelog`,
    PUNCTUAL_TOPIC_DLQ: `${prefix}.dlq`,
    PUNCTUAL_DATA_DIR: dataDir,
    PUNCTUAL_LOG_LEVEL: 'warn',
  });
  const port = new KafkajsPort({ brokers, clientId: 'punctual-measure', logger });
  const admin = port.createAdmin();
  await admin.connect();
  await ensureInternalTopics(admin, config);
  // Target topics exist up front, so the fire reader never subscribes to a topic still being created.
  await admin.createTopics([
    { topic: `${prefix}.out`, partitions: 12, replicationFactor: -1 },
    { topic: `${prefix}.fires`, partitions: 12, replicationFactor: -1 },
  ]);
  await admin.close();
  try {
    // Ingest: N far-future one-shots spread over 30 days, produced before the node starts, so the
    // figure is the node's own rate: read, validate, store, changelog and offsets committed.
    const farAt = (i: number): Record<string, unknown> => ({ at: new Date(Date.now() + 86_400_000 + (i % 30) * 86_400_000 + i).toISOString() });
    const produceStart = Date.now();
    await produce(port, definitions(config, prefix, args.schedules, farAt, `${prefix}.out`));
    console.log(`produce: ${args.schedules} definitions written (kafkajs, acks=all) in ${Date.now() - produceStart} ms`);
    const first = await startNode(port, config);
    const ingestStart = Date.now() - first.readyMs;
    await waitUntil(async () => (await committedTotal(port, config)) >= args.schedules, 600_000);
    const ingestMs = Date.now() - ingestStart;
    console.log(`ingest: ${args.schedules} definitions applied (offsets committed) in ${ingestMs} ms from node start = ${Math.round((args.schedules / ingestMs) * 1000)}/s`);
    await first.node.stop();

    const checkpoint = await startNode(port, config);
    console.log(`restore, checkpoint path: ${args.schedules} pending, ready in ${checkpoint.readyMs} ms (changelog records re-read: ${checkpoint.restoredRecords}, slowest partition ${checkpoint.slowestRestoreMs} ms)`);
    await checkpoint.node.stop();

    rmSync(dataDir, { recursive: true, force: true });
    const full = await startNode(port, config);
    console.log(`restore, full path (data dir deleted): ${args.schedules} pending, ready in ${full.readyMs} ms (changelog records read: ${full.restoredRecords}, slowest partition ${full.slowestRestoreMs} ms)`);

    // Fire throughput: M one-shots due at the same instant.
    const dueAt = Date.now() + 15_000;
    await produce(port, definitions(config, `${prefix}f`, args.fires, () => ({ at: new Date(dueAt).toISOString() }), `${prefix}.fires`));
    let received = 0;
    let lastReceived = 0;
    const reader = port.createGroupConsumer({
      groupId: `${prefix}.reader`,
      topics: [`${prefix}.fires`],
      fromBeginning: true,
      maxWaitMs: 100,
      listener: {
        onAssigned: async () => undefined,
        onRevoked: async () => undefined,
        onRecords: async (batch) => {
          received += batch.records.length;
          lastReceived = Date.now();
        },
      },
    });
    await reader.start();
    await waitUntil(async () => received >= args.fires, 600_000);
    await reader.stop();
    const fireMs = lastReceived - dueAt;
    console.log(`fires: ${args.fires} one-shots due at once, all read (read_committed) ${fireMs} ms after the due time = ${Math.round((args.fires / fireMs) * 1000)} fires/s on one node`);
    await full.node.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await local?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
