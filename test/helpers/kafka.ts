/** Helpers for integration tests against the real broker started by global setup. */
import { randomBytes } from 'node:crypto';
import { KafkajsPort } from '../../src/kafka/kafkajs/kafkajs-port';
import type { IncomingRecord, KafkaPort, TopicPartition } from '../../src/kafka/port';
import { silentLogger } from '../../src/log/logger';
import { waitFor } from '../../src/util/wait-for';

export function testBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the tests through jest (global setup starts a broker)');
  return brokers.split(',');
}

export function testPort(brokers: string[] = testBrokers()): KafkaPort {
  return new KafkajsPort({ brokers, clientId: 'punctual-test', logger: silentLogger });
}

/** A name no other test or run uses: `<prefix>-<random>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export async function createTopic(port: KafkaPort, topic: string, partitions = 1, replicationFactor = 1): Promise<void> {
  const admin = port.createAdmin();
  await admin.connect();
  try {
    await admin.createTopics([{ topic, partitions, replicationFactor }]);
  } finally {
    await admin.close();
  }
}

/**
 * Reads a topic from the beginning as a read_committed consumer (its own group) until `until`
 * holds for the records seen so far, then returns them.
 */
export async function readCommittedUntil(
  port: KafkaPort,
  topic: string,
  until: (records: IncomingRecord[]) => boolean,
  timeoutMs = 30_000,
): Promise<IncomingRecord[]> {
  await waitForTopic(port, topic, timeoutMs);
  const records: IncomingRecord[] = [];
  const consumer = port.createGroupConsumer({
    groupId: uniqueName('reader'),
    topics: [topic],
    fromBeginning: true,
    maxWaitMs: 100,
    listener: {
      onAssigned: async () => undefined,
      onRevoked: async () => undefined,
      onRecords: async (batch) => {
        records.push(...batch.records);
      },
    },
  });
  await consumer.start();
  try {
    await waitFor(`records on ${topic}`, () => until(records), { timeoutMs }).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)} (read ${records.length})`);
    });
    return [...records];
  } finally {
    await consumer.stop();
  }
}

/** Waits until `topic` exists (target topics appear only when Punctual ingests a definition). */
export async function waitForTopic(port: KafkaPort, topic: string, timeoutMs = 30_000): Promise<void> {
  const admin = port.createAdmin();
  await admin.connect();
  try {
    await waitFor(`topic ${topic} to exist`, async () => (await admin.describeTopics([topic])).length === 1, { timeoutMs, intervalMs: 100 });
  } finally {
    await admin.close();
  }
}

/** Reads exactly the first `count` committed records of a topic (fails if they do not arrive). */
export async function readCommitted(port: KafkaPort, topic: string, count: number, timeoutMs?: number): Promise<IncomingRecord[]> {
  const records = await readCommittedUntil(port, topic, (seen) => seen.length >= count, timeoutMs);
  return records.slice(0, count);
}

export function valueOf(record: IncomingRecord): string {
  return record.value?.toString() ?? '<null>';
}

export function sortPartitions(partitions: TopicPartition[]): TopicPartition[] {
  return [...partitions].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}
