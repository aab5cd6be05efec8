/**
 * The coordinator cache (src/kafka/kafkajs/coordinator-cache.ts) against the real broker: a
 * transactional producer stops asking for its coordinators before every step, its transactions
 * still commit records and offsets, it asks again once the answer expired, and admins (like
 * consumers) are left alone. The cache's clock is the test's, so no bound depends on how long a run
 * takes. Which refusals drop an answer is unit-tested
 * (src/kafka/kafkajs/coordinator-cache.test.ts): a one-broker cluster coordinates everything.
 */
import { installCoordinatorCache, COORDINATOR_CACHE_MS } from '../../src/kafka/kafkajs/coordinator-cache';
import { uniqueName } from '../helpers/kafka';
import { directKafka, expectCommitted, requestCounter, transactionalSetup, transactions } from '../helpers/kafkajs-direct';

const kafka = directKafka('coordinator-cache-test');
let now = 0;

beforeAll(() => {
  expect(installCoordinatorCache(() => now)).toBe(true);
});

test('a transactional producer looks each coordinator up once until the answer expires, and its transactions commit records and offsets', async () => {
  const { port, topic, groupId, producer, requests } = await transactionalSetup(kafka, 'coord');
  const lookups = (): number => requests('GroupCoordinator');
  await producer.connect();
  try {
    // The first transaction looks both coordinators up (more than once when a coordinator is still
    // loading: its refusal drops the answer, as the unit test shows).
    await transactions(producer, topic, groupId, 1);
    const warm = lookups();
    expect(warm).toBeGreaterThanOrEqual(2);
    // Uncached, kafkajs asks five times per transaction (measured); cached, not once more.
    await transactions(producer, topic, groupId, 9, 1);
    expect(lookups()).toBe(warm);

    now += COORDINATOR_CACHE_MS;
    await transactions(producer, topic, groupId, 1, 10);
    expect(lookups()).toBeGreaterThanOrEqual(warm + 2);
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
