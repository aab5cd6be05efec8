import { COORDINATOR_CACHE_MS, CoordinatorCache } from './coordinator-cache';

const TRANSACTION = { groupId: 'txn-id', coordinatorType: 1 };
const GROUP = { groupId: 'group', coordinatorType: 0 };

function setup(): { cache: CoordinatorCache; advance: (ms: number) => void; ask: (request: typeof TRANSACTION) => Promise<unknown>; asked: () => number } {
  let now = 1_000_000;
  const cache = new CoordinatorCache(() => now);
  const cluster = {};
  let asked = 0;
  const ask = (request: typeof TRANSACTION): Promise<unknown> =>
    cache.lookUp(cluster, request, async () => {
      asked++;
      return { coordinator: { nodeId: request.coordinatorType === 1 ? 1 : 2, host: 'h', port: 1 } };
    });
  return { cache, advance: (ms) => (now += ms), ask, asked: () => asked };
}

test('an answer is remembered until it expires', async () => {
  const { ask, asked, advance } = setup();
  await ask(TRANSACTION);
  await ask(TRANSACTION);
  await ask(GROUP);
  await ask(GROUP);
  expect(asked()).toBe(2);
  advance(COORDINATOR_CACHE_MS - 1);
  await ask(TRANSACTION);
  expect(asked()).toBe(2);
  advance(1);
  await ask(TRANSACTION);
  expect(asked()).toBe(3);
});

test('NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE or a lost connection drops what names that broker, and only that', async () => {
  for (const error of [{ type: 'NOT_COORDINATOR_FOR_GROUP' }, { type: 'GROUP_COORDINATOR_NOT_AVAILABLE' }, { name: 'KafkaJSConnectionError' }]) {
    const { cache, ask, asked } = setup();
    await ask(TRANSACTION);
    await ask(GROUP);
    cache.requestFailed(1, error);
    await ask(TRANSACTION);
    await ask(GROUP);
    expect(asked()).toBe(3);
    // The fresh answer is remembered again.
    await ask(TRANSACTION);
    expect(asked()).toBe(3);
  }
});

test('other refusals (a fence, a timeout of the transaction) keep the coordinator', async () => {
  const { cache, ask, asked } = setup();
  await ask(TRANSACTION);
  cache.requestFailed(1, { type: 'INVALID_PRODUCER_EPOCH' });
  cache.requestFailed(1, { type: 'CONCURRENT_TRANSACTIONS' });
  await ask(TRANSACTION);
  expect(asked()).toBe(1);
});

test('clusters that never looked up a transaction coordinator are not cached', async () => {
  const cache = new CoordinatorCache(() => 0);
  let asked = 0;
  for (let i = 0; i < 3; i++) await cache.lookUp({}, GROUP, async () => ++asked);
  const consumer = {};
  for (let i = 0; i < 3; i++) await cache.lookUp(consumer, GROUP, async () => ++asked);
  expect(asked).toBe(6);
});
