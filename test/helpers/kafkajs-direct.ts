/** Helpers for the tests that drive kafkajs directly, to prove what Punctual changes inside it. */
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import type { KafkaPort } from '../../src/kafka/port';
import { transactionalProducerOptions } from '../../src/kafka/kafkajs/producers';
import { createTopic, readCommitted, testBrokers, testPort, uniqueName } from './kafka';

export function directKafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: testBrokers(), logLevel: logLevel.NOTHING });
}

/** A transactional producer configured as Punctual's (src/kafka/kafkajs/producers.ts). */
export function transactionalProducer(kafka: Kafka): Producer {
  return kafka.producer(transactionalProducerOptions(uniqueName('direct-txn')));
}

/** Counts the requests a kafkajs client sends, by kafkajs' api name (FindCoordinator is "GroupCoordinator"). */
export function requestCounter(client: Producer | Admin): (apiName: string) => number {
  const counts = new Map<string, number>();
  const instrumented = client as Pick<Producer, 'on' | 'events'>;
  instrumented.on(instrumented.events.REQUEST, ({ payload }: { payload: { apiName: string } }) => {
    counts.set(payload.apiName, (counts.get(payload.apiName) ?? 0) + 1);
  });
  return (apiName) => counts.get(apiName) ?? 0;
}

/** A one-partition topic, its consumer group, and a transactional producer (not connected yet) whose requests are counted. */
export async function transactionalSetup(kafka: Kafka, prefix: string): Promise<{ port: KafkaPort; topic: string; groupId: string; producer: Producer; requests: (apiName: string) => number }> {
  const port = testPort();
  const topic = uniqueName(prefix);
  const groupId = uniqueName(`${prefix}-group`);
  await createTopic(port, topic);
  await createGroup(kafka, groupId, topic);
  const producer = transactionalProducer(kafka);
  return { port, topic, groupId, producer, requests: requestCounter(producer) };
}

/** The `count` records `transactions` wrote are committed in order, and so is the group's offset after the last. */
export async function expectCommitted(port: KafkaPort, topic: string, groupId: string, count: number): Promise<void> {
  const records = await readCommitted(port, topic, count);
  expect(records.map((record) => record.value?.toString())).toEqual(Array.from({ length: count }, (_, i) => `v${i}`));
  const admin = port.createAdmin();
  await admin.connect();
  try {
    expect(await admin.fetchCommittedOffsets(groupId, topic)).toEqual([{ topic, partition: 0, offset: count }]);
  } finally {
    await admin.close();
  }
}

/**
 * Creates the consumer group by a plain offset commit. A group Punctual commits to always exists
 * (its nodes are members); a brand-new group id is refused with NOT_COORDINATOR on its first
 * TxnOffsetCommit.
 */
export async function createGroup(kafka: Kafka, groupId: string, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '0' }] });
  } finally {
    await admin.disconnect();
  }
}

/** Back-to-back transactions shaped like Punctual's: a record, the input offset, commit. Record i has value `v<i>` and commits offset i + 1. */
export async function transactions(producer: Producer, topic: string, groupId: string, count: number, first = 0): Promise<void> {
  for (let i = first; i < first + count; i++) {
    const transaction = await producer.transaction();
    await transaction.send({ topic, messages: [{ key: 'k', value: `v${i}` }] });
    await transaction.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: String(i + 1) }] }] });
    await transaction.commit();
  }
}
