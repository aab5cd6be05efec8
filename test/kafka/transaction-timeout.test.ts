/**
 * What a coordinator answers after it timed out an open transaction, against a real broker: the
 * same refusal as a fence (INVALID_PRODUCER_EPOCH or PRODUCER_FENCED), so the port reports it as
 * fenced and only the group can tell the two apart (PartitionTask asks the node whether it still
 * owns the partition). A dedicated broker checks for timed-out transactions every 500 ms.
 */
import { LocalKafka } from '../../src/dev/local-kafka';
import { brokerErrorTypes, transactionFailed } from '../../src/kafka/kafkajs/error-mapping';
import { transactionalProducerOptions } from '../../src/kafka/kafkajs/producers';
import { waitFor } from '../../src/util/wait-for';
import { Kafka, logLevel } from 'kafkajs';
import { createTopic, readCommittedUntil, testPort, uniqueName } from '../helpers/kafka';

jest.setTimeout(120_000);

let cluster: LocalKafka;

beforeAll(async () => {
  cluster = await LocalKafka.start({ heapMb: 384, brokerConfig: { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 500 } });
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
});

test('a transaction the coordinator timed out is refused at commit like a fenced one, and its records stay invisible', async () => {
  const port = testPort([cluster.bootstrap]);
  const topic = uniqueName('timed-out');
  await createTopic(port, topic);
  const kafka = new Kafka({ clientId: 'transaction-timeout-test', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING });
  const transactionalId = uniqueName('timed-out-txn');
  const producer = kafka.producer({ ...transactionalProducerOptions(transactionalId), transactionTimeout: 1_000 });
  await producer.connect();
  try {
    const transaction = await producer.transaction();
    await transaction.send({ topic, messages: [{ key: 'k', value: 'timed out' }] });
    await waitFor('the coordinator to abort the timed-out transaction', async () => ['PrepareAbort', 'CompleteAbort'].includes(await cluster.transactionState(transactionalId)), { timeoutMs: 60_000, intervalMs: 200 });
    const error = await transaction.commit().then(() => undefined, (failure: unknown) => failure);
    expect(error).toBeDefined();
    expect(brokerErrorTypes(error).some((type) => type === 'INVALID_PRODUCER_EPOCH' || type === 'PRODUCER_FENCED')).toBe(true);
    expect(transactionFailed('commit', transactionalId, error).fenced).toBe(true);
  } finally {
    await producer.disconnect();
  }
  // Nothing of it is visible: a record written after it is the first a read_committed reader gets.
  const writer = port.createProducer();
  await writer.connect();
  await writer.send([{ topic, key: 'k', value: 'after' }]);
  await writer.close();
  const records = await readCommittedUntil(port, topic, (seen) => seen.some((r) => r.value?.toString() === 'after'));
  expect(records.map((r) => r.value?.toString())).toEqual(['after']);
});
