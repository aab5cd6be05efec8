/**
 * Target topics against the real broker. A topic the cluster refuses for good (its name collides
 * with an existing topic) dead-letters the definition with the broker's refusal (kafkajs keeps the
 * error name, not the broker's message). A broker that stalls on CreateTopics (a proxy holds those
 * requests back) makes the partition's ingest wait, visibly (readiness, metric), while the node
 * keeps firing; once the broker answers, the schedule is applied and fires exactly once: a broker
 * hiccup never loses a schedule.
 */
import { freePort } from '../../src/dev/free-port';
import { API_KEYS, KafkaFaultProxy } from '../../src/dev/kafka-fault-proxy';
import { LocalKafka } from '../../src/dev/local-kafka';
import type { IncomingRecord, KafkaPort } from '../../src/kafka/port';
import { waitFor } from '../../src/util/wait-for';
import { createTopic, readCommittedUntil, readUpToMarker, testPort, uniqueName } from '../helpers/kafka';
import { startApiNode, testConfig, type ApiNode } from '../helpers/punctual';

jest.setTimeout(180_000);

interface Setup {
  port: KafkaPort;
  api: ApiNode;
  dlq: string;
}

async function put({ api }: Setup, id: string, body: Record<string, unknown>): Promise<number> {
  const response = await fetch(`${api.url}/v1/schedules/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return response.status;
}

describe('on the shared broker', () => {
  const setup = {} as Setup;
  beforeAll(async () => {
    setup.port = testPort();
    const config = testConfig();
    setup.dlq = config.topics.dlq;
    setup.api = await startApiNode(setup.port, config);
  });
  afterAll(async () => {
    await setup.api?.stop();
  });

  test('a target topic the cluster refuses for good dead-letters the definition with the broker refusal', async () => {
    const base = uniqueName('collide');
    await createTopic(setup.port, `${base}.out`);
    const id = `${base}/refused`;
    // Kafka refuses a name that differs from an existing one only by '.' versus '_'.
    expect(await put(setup, id, { at: '2030-01-01T00:00:00Z', topic: `${base}_out` })).toBe(202);
    const [dead] = (await readCommittedUntil(setup.port, setup.dlq, (records) => records.some((r) => r.key?.toString() === id))).filter((r) => r.key?.toString() === id);
    expect(dead?.headers['punctual-dlq-reason']).toBe(`topic: the cluster refused target topic ${base}_out: create topics refused: INVALID_TOPIC_EXCEPTION: The request attempted to perform an operation on an invalid topic`);
    expect((await fetch(`${setup.api.url}/v1/schedules/${id}`)).status).toBe(404);
  });
});

describe('behind a proxy that can stall the broker', () => {
  const setup = {} as Setup;
  let proxy: KafkaFaultProxy;
  let cluster: LocalKafka;
  beforeAll(async () => {
    const brokerPort = await freePort();
    proxy = await KafkaFaultProxy.start(0, brokerPort);
    cluster = await LocalKafka.start({ port: brokerPort, advertisedPort: proxy.port, heapMb: 384 });
    setup.port = testPort([cluster.bootstrap]);
    const config = testConfig({ KAFKA_BROKERS: cluster.bootstrap });
    setup.dlq = config.topics.dlq;
    setup.api = await startApiNode(setup.port, config);
  }, 120_000);
  afterAll(async () => {
    await setup.api?.stop();
    await cluster?.stop();
    await proxy?.stop();
  });

  test('while the broker does not answer CreateTopics, ingest waits, visibly, fires go on, and the schedule fires once when it answers', async () => {
    const { api, port } = setup;
    const base = uniqueName('stall');
    // A schedule on a topic that exists, firing every second throughout.
    const steady = `${base}.steady`;
    expect(await put(setup, `${base}/steady`, { frequency: { timeUnit: 'SECONDS', time: 1 }, topic: steady })).toBe(202);
    await readCommittedUntil(port, steady, (records) => records.length >= 1);

    proxy.hold(API_KEYS.createTopics);
    const topic = `${base}.new`;
    const id = `${base}/new`;
    try {
      expect(await put(setup, id, { at: new Date(Date.now() + 1_000).toISOString(), misfire: 'fire-all', topic })).toBe(202);
      const notReady = await waitFor('the node to report the wait', async () => {
        const response = await fetch(`${api.url}/health/ready`);
        const body = (await response.json()) as { waitingForTargetTopics: { partition: number; topic: string }[] };
        return response.status === 503 && body.waitingForTargetTopics.some((waiting) => waiting.topic === topic) ? body : undefined;
      });
      expect(proxy.heldRequests(API_KEYS.createTopics)).toBeGreaterThan(0);
      const partition = notReady.waitingForTargetTopics.find((waiting) => waiting.topic === topic)?.partition;
      expect(await (await fetch(`${api.url}/metrics`)).text()).toContain(`punctual_ingest_waiting{partition="${partition}"} 1`);
      // Fires of the schedules already applied go on meanwhile.
      const before = (await readUpToMarker(port, steady, `${base}/steady`)).length;
      await waitFor('the steady schedule to fire while ingest waits', async () => (await readUpToMarker(port, steady, `${base}/steady`)).length > before + 1);
      expect(proxy.heldRequests(API_KEYS.createTopics)).toBeGreaterThan(0);
    } finally {
      proxy.release(API_KEYS.createTopics);
    }
    await waitFor('the node to be ready again', async () => (await fetch(`${api.url}/health/ready`)).status === 200);
    // Ready means ingest no longer waits; the definition is applied, then fires in a transaction after.
    const firesOf = async (): Promise<IncomingRecord[]> => (await readUpToMarker(port, topic, id)).filter((r) => r.headers['punctual-id'] === id);
    await waitFor('the schedule to fire once its topic exists', async () => (await firesOf()).length > 0);
    const fires = await firesOf();
    expect(fires.map((r) => r.headers['punctual-fire-id'])).toEqual([expect.stringMatching(new RegExp(`^${id}@`))]);
    expect((await readUpToMarker(port, setup.dlq, id)).filter((r) => r.key?.toString() === id)).toEqual([]);
    expect(await (await fetch(`${api.url}/metrics`)).text()).toMatch(/punctual_ingest_waiting\{partition="\d+"\} 0/);
  });
});
