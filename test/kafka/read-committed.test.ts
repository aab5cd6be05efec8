/**
 * read_committed reads against the real broker (src/kafka/kafkajs/aborted-transactions.ts). Two
 * producers each abort a transaction that overlaps the other's, and a committed record follows; a
 * fetch that starts inside both aborted transactions must deliver the committed record only. kafkajs
 * alone delivers a record of the second aborted transaction; the port does not.
 *
 * The first test must run before anything in this file installs the port's kafkajs patches (jest
 * gives every test file its own module registry, so other files' patches do not reach here).
 */
import type { Kafka } from 'kafkajs';
import { installAbortedTransactionsFilter } from '../../src/kafka/kafkajs/aborted-transactions';
import { directKafka, transactionalProducer } from '../helpers/kafkajs-direct';
import { readCommitted, testPort, uniqueName, valueOf } from '../helpers/kafka';
import { waitFor } from '../../src/util/wait-for';

/**
 * Offsets of the topic written: 0 a0 (A, aborted), 1 b1 (B, aborted), 2 b2 (B, aborted), 3 A's
 * abort marker, 4 B's abort marker, 5 c5 and 6 c6 (committed, no transaction).
 */
async function overlappingAbortedTransactions(kafka: Kafka): Promise<string> {
  const topic = uniqueName('read-committed');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  const [a, b] = [transactionalProducer(kafka), transactionalProducer(kafka)];
  const plain = kafka.producer();
  await Promise.all([a.connect(), b.connect(), plain.connect()]);
  try {
    const ta = await a.transaction();
    await ta.send({ topic, messages: [{ value: 'a0' }] });
    const tb = await b.transaction();
    await tb.send({ topic, messages: [{ value: 'b1' }] });
    await tb.send({ topic, messages: [{ value: 'b2' }] });
    await ta.abort();
    await tb.abort();
    // The coordinator writes the abort markers after EndTxn has answered.
    await waitFor('both abort markers', async () => (await admin.fetchTopicOffsets(topic))[0]?.high === '5', { timeoutMs: 10_000 });
    const [written] = await plain.send({ topic, acks: -1, messages: [{ value: 'c5' }, { value: 'c6' }] });
    expect(written?.baseOffset).toBe('5');
  } finally {
    await Promise.all([a.disconnect(), b.disconnect(), plain.disconnect(), admin.disconnect()]);
  }
  return topic;
}

/** A kafkajs read_committed consumer of `topic` from `offset`, until it saw c6. */
async function kafkajsRead(kafka: Kafka, topic: string, offset: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('read-committed-reader'), readUncommitted: false, maxWaitTimeInMs: 100 });
  const values: string[] = [];
  consumer.on(consumer.events.GROUP_JOIN, () => consumer.seek({ topic, partition: 0, offset: String(offset) }));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (Number(message.offset) >= offset) values.push(message.value?.toString() ?? '');
    },
  });
  try {
    await waitFor('c6', () => values.includes('c6'), { timeoutMs: 20_000 });
    return values;
  } finally {
    await consumer.disconnect();
  }
}

test('kafkajs alone delivers a record of an aborted transaction when a fetch starts inside two of them', async () => {
  const kafka = directKafka('read-committed-test');
  const topic = await overlappingAbortedTransactions(kafka);
  expect(await kafkajsRead(kafka, topic, 2)).toEqual(['b2', 'c5', 'c6']);
  // From the beginning kafkajs meets each aborted transaction's first record, and filters right.
  expect(await kafkajsRead(kafka, topic, 0)).toEqual(['c5', 'c6']);
});

test('with the port installed, the same reads deliver the committed record only', async () => {
  expect(installAbortedTransactionsFilter()).toBe(true);
  const kafka = directKafka('read-committed-test');
  const topic = await overlappingAbortedTransactions(kafka);
  expect(await kafkajsRead(kafka, topic, 2)).toEqual(['c5', 'c6']);
  expect(await kafkajsRead(kafka, topic, 0)).toEqual(['c5', 'c6']);

  // The port's two ways of reading: one partition from an offset (the changelog restore), and a group member.
  const port = testPort();
  const fromTwo: string[] = [];
  await port.readPartition({ topic, partition: 0, fromOffset: 2, untilOffset: 6, onRecords: async (records) => void fromTwo.push(...records.map(valueOf)) });
  expect(fromTwo).toEqual(['c5']);
  expect((await readCommitted(port, topic, 2)).map(valueOf)).toEqual(['c5', 'c6']);
});
