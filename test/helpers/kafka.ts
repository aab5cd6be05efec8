/** Helpers for integration tests against the real broker started by global setup. */
import { randomBytes } from 'node:crypto';
import { KafkajsPort } from '../../src/kafka/kafkajs/kafkajs-port';
import type { GroupConsumer, IncomingRecord, KafkaPort, OutgoingRecord, RecordBatch, TopicPartition } from '../../src/kafka/port';
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

/**
 * Appends `markers` (records whose value is a fresh marker) to `topic`, then reads committed records
 * until every marker is seen; returns what was read, markers left out, and the marker's partitions.
 */
async function readPastMarkers(port: KafkaPort, topic: string, markers: (marker: string) => OutgoingRecord[], timeoutMs: number): Promise<{ records: IncomingRecord[]; partitions: Set<number> }> {
  const marker = uniqueName('marker');
  const written = markers(marker);
  const producer = port.createProducer();
  await producer.connect();
  try {
    await producer.send(written);
  } finally {
    await producer.close();
  }
  const isMarker = (record: IncomingRecord): boolean => record.value?.toString() === marker;
  const read = await readCommittedUntil(port, topic, (seen) => seen.filter(isMarker).length >= written.length, timeoutMs);
  return { records: read.filter((record) => !isMarker(record)), partitions: new Set(read.filter(isMarker).map((record) => record.partition)) };
}

/**
 * Every committed record of the partition of `topic` that `key` is written to, read up to a marker
 * appended there now (the marker left out): whatever was committed to it before is all there, so a
 * test can assert that something happened once, or not at all.
 */
export async function readUpToMarker(port: KafkaPort, topic: string, key: string, timeoutMs = 60_000): Promise<IncomingRecord[]> {
  const { records, partitions } = await readPastMarkers(port, topic, (marker) => [{ topic, key, value: marker }], timeoutMs);
  return records.filter((record) => partitions.has(record.partition));
}

/**
 * `count` names `<prefix>-<n>` whose ids `<host>/<name>` all fall into one partition of a topic of
 * `partitions` (`partition`, or the first name's): schedules a test compares are then fired by one
 * task, in due order.
 */
export function namesInOnePartition(port: KafkaPort, partitions: number, host: string, prefix: string, count: number, partition?: number): string[] {
  const names: string[] = [];
  let target = partition;
  for (let n = 0; names.length < count; n++) {
    const name = `${prefix}-${n}`;
    const at = port.partitionFor(`${host}/${name}`, partitions);
    target ??= at;
    if (at === target) names.push(name);
  }
  return names;
}

/**
 * Every committed record of every partition of `topic` (it has `partitions`), read up to a marker
 * appended to each partition now (markers left out): nothing committed before is missing.
 */
export async function readAllUpToMarkers(port: KafkaPort, topic: string, partitions: number, timeoutMs = 60_000): Promise<IncomingRecord[]> {
  const markers = (marker: string): OutgoingRecord[] => Array.from({ length: partitions }, (_, partition) => ({ topic, partition, key: marker, value: marker }));
  return (await readPastMarkers(port, topic, markers, timeoutMs)).records;
}

/** `count` members of one group; owned[i] follows member i's assignment, onRecords is optional. */
export function groupMembers(
  port: KafkaPort,
  groupId: string,
  topic: string,
  count: number,
  onRecords: (member: number, batch: RecordBatch) => void = () => undefined,
  { sessionTimeoutMs = 6_000, heartbeatIntervalMs = 500 } = {},
): { members: GroupConsumer[]; owned: number[][] } {
  const owned: number[][] = Array.from({ length: count }, () => []);
  const members = owned.map((_, i) =>
    port.createGroupConsumer({
      groupId,
      topics: [topic],
      fromBeginning: true,
      sessionTimeoutMs,
      heartbeatIntervalMs,
      listener: {
        onAssigned: async (partitions) => void owned[i]?.push(...partitions.map((tp) => tp.partition)),
        onRevoked: async (partitions) => {
          owned[i] = (owned[i] ?? []).filter((p) => !partitions.some((r) => r.partition === p));
        },
        onRecords: async (batch) => onRecords(i, batch),
      },
    }),
  );
  return { members, owned };
}

/** Produces `records` with a producer of its own (acks=all), closed afterwards. */
export async function produceAll(port: KafkaPort, records: OutgoingRecord[]): Promise<void> {
  const producer = port.createProducer();
  await producer.connect();
  try {
    await producer.send(records);
  } finally {
    await producer.close();
  }
}
