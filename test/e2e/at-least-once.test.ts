/**
 * The at-least-once mode kept for the benchmark's exactly-once cost: it must still do the same work
 * (fire on time, commit the input offsets) without transactions.
 */
import type { PunctualNode } from '../../src/cluster/punctual-node';
import type { PunctualConfig } from '../../src/config/config';
import type { KafkaPort, Producer } from '../../src/kafka/port';
import { waitFor } from '../../src/util/wait-for';
import { readCommittedUntil, testPort, uniqueName } from '../helpers/kafka';
import { definitionRecord, startNode, testConfig } from '../helpers/punctual';

let port: KafkaPort;
let config: PunctualConfig;
let node: PunctualNode;
let producer: Producer;

beforeAll(async () => {
  port = testPort();
  config = testConfig({ PUNCTUAL_DELIVERY: 'at-least-once' });
  node = await startNode(port, config);
  producer = port.createProducer();
  await producer.connect();
});

afterAll(async () => {
  await producer.close();
  await node.stop();
});

test('at-least-once mode fires a schedule once per occurrence and commits the input offset without transactions', async () => {
  const topic = uniqueName('out');
  const start = Date.now() + 1_000;
  const [written] = await producer.send([
    definitionRecord(config.topics.definitions, { host: 'alo', name: 'tick', action: 'INSERT', topic, frequency: { timeUnit: 'MILLISECONDS', time: 200 }, start: new Date(start).toISOString(), limit: 3 }),
  ]);
  const events = await readCommittedUntil(port, topic, (records) => records.length >= 3);
  expect(events.map((event) => Number(event.headers['punctual-scheduled-at']))).toEqual([start, start + 200, start + 400]);

  const admin = port.createAdmin();
  await admin.connect();
  try {
    const committedOffset = async (): Promise<number | undefined> =>
      (await admin.fetchCommittedOffsets(config.groupId, config.topics.definitions)).find((c) => c.partition === written?.partition)?.offset;
    await waitFor('the input offset to be committed', async () => (await committedOffset()) === (written?.offset ?? 0) + 1);
  } finally {
    await admin.close();
  }
});
