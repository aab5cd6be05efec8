/** Kafka helpers of the benchmark: topics, a fast definitions feed, committed-offset totals. */
import type { KafkaPort, OutgoingRecord } from '../kafka/port';

/** A target topic whose records carry the broker's append time, so append lateness can be read off. */
export async function createAppendTimeTopic(port: KafkaPort, topic: string, partitions = 12): Promise<void> {
  const admin = port.createAdmin();
  await admin.connect();
  try {
    await admin.createTopics([{ topic, partitions, replicationFactor: -1, config: { 'message.timestamp.type': 'LogAppendTime' } }]);
  } finally {
    await admin.close();
  }
}

const CHUNK = 5_000;
const IN_FLIGHT = 4;

/**
 * Writes `count` definitions (acks=all), a few chunks in flight at once. `body(i)` makes the i-th.
 * Each lane has its own producer: kafkajs' idempotent producer can answer a retry with
 * OUT_OF_ORDER_SEQUENCE_NUMBER when sends of one producer overlap (seen once in a full run).
 */
export async function produceDefinitions(port: KafkaPort, topic: string, count: number, body: (i: number) => Record<string, unknown>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    const producer = port.createProducer();
    await producer.connect();
    try {
      while (next < count) {
        const from = next;
        next = Math.min(count, next + CHUNK);
        const records: OutgoingRecord[] = [];
        for (let i = from; i < next; i++) {
          const definition = body(i);
          records.push({ topic, key: `${String(definition.host)}/${String(definition.name)}`, value: JSON.stringify(definition) });
        }
        await producer.send(records);
      }
    } finally {
      await producer.close();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
}

/** Sum over a topic's partitions of a group's committed offsets (records consumed and committed). */
export async function committedTotal(port: KafkaPort, groupId: string, topic: string): Promise<number> {
  const admin = port.createAdmin();
  await admin.connect();
  try {
    const offsets = await admin.fetchCommittedOffsets(groupId, topic);
    return offsets.reduce((sum, { offset }) => sum + Math.max(0, offset), 0);
  } finally {
    await admin.close();
  }
}
