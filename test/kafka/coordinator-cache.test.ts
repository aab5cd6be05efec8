/**
 * The coordinator cache (src/kafka/kafkajs/coordinator-cache.ts) against the real broker: a
 * transactional producer stops asking for its coordinators before every step, its transactions
 * still commit records and offsets, it asks again once the answer expired, and admins (like
 * consumers) are left alone.
 */
import { installCoordinatorCache, COORDINATOR_CACHE_MS } from '../../src/kafka/kafkajs/coordinator-cache';
import { uniqueName } from '../helpers/kafka';
import { directKafka, expectCommitted, requestCounter, transactionalSetup, transactions } from '../helpers/kafkajs-direct';
import { sleep } from '../../src/util/sleep';

const kafka = directKafka('coordinator-cache-test');

beforeAll(() => {
  expect(installCoordinatorCache()).toBe(true);
});

test('a transactional producer looks its coordinators up once per expiry, and its transactions commit records and offsets', async () => {
  const { port, topic, groupId, producer, requests } = await transactionalSetup(kafka, 'coord');
  const lookups = (): number => requests('GroupCoordinator');
  await producer.connect();
  try {
    const started = Date.now();
    await transactions(producer, topic, groupId, 10);
    const elapsed = Date.now() - started;
    // Uncached, kafkajs asks five times per transaction (50 here, measured); cached, once per
    // coordinator (transaction and group) and per expiry that fell inside the run, plus the registration.
    expect(lookups()).toBeLessThanOrEqual(3 + 2 * Math.floor(elapsed / COORDINATOR_CACHE_MS));

    await sleep(COORDINATOR_CACHE_MS + 100);
    const before = lookups();
    await transactions(producer, topic, groupId, 1, 10);
    expect(lookups()).toBeGreaterThan(before);
  } finally {
    await producer.disconnect();
  }
  await expectCommitted(port, topic, groupId, 11);
});

test('an admin client, which never looks up a transaction coordinator, keeps asking every time', async () => {
  const admin = kafka.admin();
  const requests = requestCounter(admin);
  await admin.connect();
  try {
    const groupId = uniqueName('coord-admin');
    for (let i = 0; i < 3; i++) await admin.fetchOffsets({ groupId, topics: [] });
    expect(requests('GroupCoordinator')).toBe(3);
  } finally {
    await admin.disconnect();
  }
});
