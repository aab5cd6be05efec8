/**
 * The coordinator cache (src/kafka/kafkajs/coordinator-cache.ts) against the real broker: a
 * transactional producer stops asking for its coordinators before every step, its transactions
 * still commit records and offsets, it asks again once the answer expired, and consumers are
 * left alone.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { installCoordinatorCache } from '../../src/kafka/kafkajs/coordinator-cache';
import { TRANSACTION_RETRY } from '../../src/kafka/kafkajs/producers';
import { createTopic, readCommitted, testBrokers, testPort, uniqueName } from '../helpers/kafka';
import { sleep } from '../../src/util/sleep';

/** kafkajs' api key of FindCoordinator (it calls the request GroupCoordinator). */
const FIND_COORDINATOR = 10;
const TTL_MS = 1_000;

const kafka = new Kafka({ clientId: 'coordinator-cache-test', brokers: testBrokers(), logLevel: logLevel.NOTHING });

beforeAll(() => {
  expect(installCoordinatorCache(TTL_MS)).toBe(true);
});

/** Counts the FindCoordinator requests a producer or consumer sends. */
function countLookups(client: Pick<Producer, 'on' | 'events'>): () => number {
  let lookups = 0;
  client.on(client.events.REQUEST, ({ payload }: { payload: { apiKey: number } }) => {
    if (payload.apiKey === FIND_COORDINATOR) lookups++;
  });
  return () => lookups;
}

async function transactions(producer: Producer, topic: string, groupId: string, count: number, firstOffset: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const transaction = await producer.transaction();
    await transaction.send({ topic, messages: [{ key: 'k', value: `v${firstOffset + i}` }] });
    await transaction.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: String(firstOffset + i + 1) }] }] });
    await transaction.commit();
  }
}

test('a transactional producer looks its coordinators up once per expiry, and its transactions commit records and offsets', async () => {
  const port = testPort();
  const topic = uniqueName('coord');
  const groupId = uniqueName('coord-group');
  await createTopic(port, topic);
  // A group Punctual commits to always exists (its nodes are members); a brand-new group id is refused
  // with NOT_COORDINATOR on its first TxnOffsetCommit, so the group is created by a plain commit first.
  const setup = kafka.admin();
  await setup.connect();
  await setup.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '0' }] });
  await setup.disconnect();
  const producer = kafka.producer({ transactionalId: uniqueName('coord-txn'), idempotent: true, maxInFlightRequests: 1, retry: TRANSACTION_RETRY });
  const lookups = countLookups(producer);
  await producer.connect();
  try {
    const started = Date.now();
    await transactions(producer, topic, groupId, 10, 0);
    const elapsed = Date.now() - started;
    // Uncached, kafkajs asks five times per transaction (50 here, measured); cached, once per coordinator
    // (transaction and group) and per expiry that fell inside the run, plus the registration.
    expect(lookups()).toBeLessThanOrEqual(3 + 2 * Math.floor(elapsed / TTL_MS));

    await sleep(TTL_MS + 100);
    const before = lookups();
    await transactions(producer, topic, groupId, 1, 10);
    expect(lookups()).toBeGreaterThan(before);
  } finally {
    await producer.disconnect();
  }
  const records = await readCommitted(port, topic, 11);
  expect(records.map((record) => record.value?.toString())).toEqual(Array.from({ length: 11 }, (_, i) => `v${i}`));
  const admin = port.createAdmin();
  await admin.connect();
  try {
    expect(await admin.fetchCommittedOffsets(groupId, topic)).toEqual([{ topic, partition: 0, offset: 11 }]);
  } finally {
    await admin.close();
  }
});

test('an admin client, which never looks up a transaction coordinator, keeps asking every time', async () => {
  const admin = kafka.admin();
  const lookups = countLookups(admin as unknown as Pick<Producer, 'on' | 'events'>);
  await admin.connect();
  try {
    const groupId = uniqueName('coord-admin');
    for (let i = 0; i < 3; i++) await admin.fetchOffsets({ groupId, topics: [] });
    expect(lookups()).toBe(3);
  } finally {
    await admin.disconnect();
  }
});
