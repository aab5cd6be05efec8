/**
 * A node whose open transactions the coordinator times out, against a real broker: a proxy in front
 * of it holds back every EndTxn past the node's transaction timeout (2 s; the broker sweeps timed-out
 * transactions every 500 ms), so the coordinator aborts them and answers the held commits with
 * INVALID_PRODUCER_EPOCH, as it answers a fence. The node still owns its partitions: it registers
 * its producer again, its tasks rebuild, and every occurrence the aborted transactions held fires
 * exactly once later.
 */
import { nodeTransactionalId } from '../../src/cluster/node-identity';
import { freePort } from '../../src/dev/free-port';
import { API_KEYS, KafkaFaultProxy } from '../../src/dev/kafka-fault-proxy';
import { LocalKafka } from '../../src/dev/local-kafka';
import { KafkajsPort } from '../../src/kafka/kafkajs/kafkajs-port';
import type { KafkaPort } from '../../src/kafka/port';
import { silentLogger } from '../../src/log/logger';
import { waitFor } from '../../src/util/wait-for';
import { readAllUpToMarkers, readCommittedUntil, uniqueName } from '../helpers/kafka';
import { startApiNode, testConfig, type ApiNode } from '../helpers/punctual';

jest.setTimeout(180_000);

const TRANSACTION_TIMEOUT_MS = 2_000;
const SCHEDULES = 10;
const PERIOD_MS = 200;
const LIMIT = 60;

let proxy: KafkaFaultProxy;
let cluster: LocalKafka;
let port: KafkaPort;

beforeAll(async () => {
  const brokerPort = await freePort();
  proxy = await KafkaFaultProxy.start(0, brokerPort);
  cluster = await LocalKafka.start({ port: brokerPort, advertisedPort: proxy.port, heapMb: 384, brokerConfig: { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 500 } });
  port = new KafkajsPort({ brokers: [cluster.bootstrap], clientId: 'punctual-test', logger: silentLogger, transactionTimeoutMs: TRANSACTION_TIMEOUT_MS });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  await proxy?.stop();
});

test('transactions the coordinator timed out are fired again, exactly once, by tasks that keep running', async () => {
  const config = testConfig({ KAFKA_BROKERS: cluster.bootstrap, PUNCTUAL_TRANSACTION_TIMEOUT_MS: String(TRANSACTION_TIMEOUT_MS), PUNCTUAL_NODE_ID: 'timed-out' });
  let api: ApiNode | undefined = await startApiNode(port, config);
  try {
    const topic = uniqueName('timed-out');
    const start = Date.now() + 1_000;
    for (let i = 0; i < SCHEDULES; i++) {
      const body = { frequency: { timeUnit: 'MILLISECONDS', time: PERIOD_MS }, start: new Date(start).toISOString(), limit: LIMIT, misfire: 'fire-all', topic };
      const response = await fetch(`${api.url}/v1/schedules/tt/s${i}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status).toBe(202);
    }
    // Occurrences start at the later of `start` and each definition's record timestamp.
    const definitions = await readCommittedUntil(port, config.topics.definitions, (seen) => seen.length >= SCHEDULES);
    const expected = new Set<string>();
    for (const record of definitions) {
      const first = start + Math.max(0, Math.ceil((record.timestamp - start) / PERIOD_MS)) * PERIOD_MS;
      for (let k = 0; k < LIMIT; k++) expected.add(`${record.key?.toString() ?? ''}@${first + k * PERIOD_MS}`);
    }
    await readCommittedUntil(port, topic, (seen) => seen.length >= SCHEDULES);

    proxy.hold(API_KEYS.endTxn);
    try {
      await waitFor('a held commit', () => proxy.heldRequests(API_KEYS.endTxn) > 0);
      const ids = [nodeTransactionalId(config.groupId, config.nodeId)];
      await waitFor(
        'the coordinator to abort a timed-out transaction',
        async () => {
          for (const id of ids) if (['PrepareAbort', 'CompleteAbort'].includes(await cluster.transactionState(id).catch(() => ''))) return true;
          return false;
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
    } finally {
      proxy.release(API_KEYS.endTxn);
    }

    const metrics = async (): Promise<string> => (await fetch(`${api?.url}/metrics`)).text();
    await waitFor('a transaction failed for its refused epoch', async () => /punctual_transaction_failures_total\{reason="epoch"\} [1-9]/.test(await metrics()));
    const lastDue = Math.max(...[...expected].map((id) => Number(id.split('@')[1])));
    await waitFor('the last due time to pass', async () => Date.now() > lastDue + 1_000 && api?.node.isReady(), { timeoutMs: 60_000, intervalMs: 200 });
    // The rebuilt tasks fire what the aborted transactions held (fire-all) in their own time on a
    // loaded machine: wait for every expected fire to be readable, then check it is there once.
    await readCommittedUntil(port, topic, (seen) => {
      const ids = new Set(seen.map((record) => record.headers['punctual-fire-id']));
      return [...expected].every((id) => ids.has(id));
    }, 90_000).catch(() => undefined);
    // The node kept its partitions all along: no refusal for the group generation.
    expect(await metrics()).not.toMatch(/punctual_transaction_failures_total\{reason="generation"\} [1-9]/);
    await api.stop();
    api = undefined;

    const records = await readAllUpToMarkers(port, topic, 1);
    const fireIds = records.map((record) => record.headers['punctual-fire-id'] ?? '<none>');
    const duplicated = fireIds.filter((id, index) => fireIds.indexOf(id) !== index);
    const missing = [...expected].filter((id) => !fireIds.includes(id));
    expect({ duplicated, missing: missing.slice(0, 10), missingCount: missing.length, unexpected: fireIds.filter((id) => !expected.has(id)) }).toEqual({ duplicated: [], missing: [], missingCount: 0, unexpected: [] });
  } finally {
    await api?.stop();
  }
});
