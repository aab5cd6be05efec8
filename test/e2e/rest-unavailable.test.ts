/**
 * With its broker gone, a two-node cluster answers every schedules route that needs Kafka with 503
 * and a Retry-After (writes, the INSERT existence check, lists, reads forwarded to the other node),
 * never with a false success or a 500; a preview, which needs no Kafka, still works. Both nodes then
 * stop without a broker.
 */
import { LocalKafka } from '../../src/dev/local-kafka';
import { loadConfig } from '../../src/config/config';
import { sleep } from '../../src/util/sleep';
import { waitFor } from '../../src/util/wait-for';
import { testPort, uniqueName } from '../helpers/kafka';
import { anotherNode, startApiNode, uniqueNodeEnv, type ApiNode } from '../helpers/punctual';

jest.setTimeout(180_000);

/** How long a stop without a broker may take: the consumers' and producers' disconnects give up within seconds. */
const STOP_WITHIN_MS = 30_000;

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; retryAfter: string | null; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), json: (await response.json()) as Record<string, unknown> };
}

test('every route that needs Kafka answers 503 with Retry-After while Kafka is unavailable, on both nodes, and both stop', async () => {
  const kafka = await LocalKafka.start();
  const port = testPort(kafka.bootstrap.split(','));
  const config = loadConfig({ ...uniqueNodeEnv(uniqueName('down')), KAFKA_BROKERS: kafka.bootstrap, PUNCTUAL_PARTITIONS: '4' });
  const nodes: ApiNode[] = [];
  try {
    nodes.push(await startApiNode(port, config), await startApiNode(port, anotherNode(config, 'b')));
    const [first, second] = nodes as [ApiNode, ApiNode];
    await waitFor('both nodes to own partitions', () => nodes.every((api) => api.node.ownedPartitions().length > 0 && api.node.isReady()));
    // One schedule on each node's partitions.
    const host = uniqueName('down');
    const names = Array.from({ length: 40 }, (_, i) => `s${i}`);
    const ownedBy = (api: ApiNode): string => names.find((name) => api.node.ownedPartitions().includes(api.node.partitionOf(`${host}/${name}`))) ?? '';
    const [mine, theirs] = [ownedBy(first), ownedBy(second)];
    expect(mine).not.toBe('');
    expect(theirs).not.toBe('');
    for (const name of [mine, theirs]) expect((await call(first.url, 'PUT', `/v1/schedules/${host}/${name}?wait=applied`, { at: '2030-01-01T00:00:00Z', topic: 'down.out' })).status).toBe(200);

    await kafka.stop();
    // The directory remembers the group's members for a second: past it, every forwarded read asks Kafka.
    await sleep(1_500);
    /** The routes that need Kafka, for a node owning the schedule `own` whose `other` lives on the other node. */
    const needingKafka = (own: string, other: string): [string, string, unknown?][] => [
      ['POST', '/schedulers', { host, name: 'new', action: 'INSERT', at: '2030-01-01T00:00:00Z', topic: 't' }],
      ['POST', '/schedulers', { host, name: other, action: 'UPDATE', at: '2030-01-01T00:00:00Z', topic: 't' }],
      ['POST', '/schedulers', { host, name: own, action: 'DELETE' }],
      ['PUT', `/v1/schedules/${host}/new`, { at: '2030-01-01T00:00:00Z', topic: 't' }],
      ['DELETE', `/v1/schedules/${host}/${other}`],
      ['GET', `/v1/schedules/${host}/${other}`],
      ['GET', `/v1/schedules/${host}/${other}/next`],
      ['GET', `/v1/schedules?host=${host}`],
      ['GET', `/schedulers?host=${host}`],
    ];
    for (const [api, own, other] of [[first, mine, theirs], [second, theirs, mine]] as const) {
      const answers = [];
      for (const [method, path, body] of needingKafka(own, other)) {
        const { status, retryAfter } = await call(api.url, method, path, body);
        answers.push({ method, path, status, retryAfter });
      }
      expect(answers).toEqual(needingKafka(own, other).map(([method, path]) => ({ method, path, status: 503, retryAfter: '1' })));
      // A schedule the node still owns it answers from its own store (200); once its consumer gave
      // the partitions up (kafkajs crashes it after its retries), it is 503 like the others.
      const ownRead = await call(api.url, 'GET', `/v1/schedules/${host}/${own}`);
      expect(ownRead.status === 200 || (ownRead.status === 503 && ownRead.retryAfter === '1')).toBe(true);
      // A preview needs no Kafka at all.
      expect((await call(api.url, 'POST', '/v1/preview?count=2', { cron: '0 9 * * *' })).status).toBe(200);
    }
  } finally {
    const stops = nodes.map((api) => api.stop().then(() => 'stopped'));
    const outcomes = await Promise.all(stops.map((stop) => Promise.race([stop, sleep(STOP_WITHIN_MS).then(() => 'still stopping')])));
    await kafka.stop();
    expect(outcomes).toEqual(nodes.map(() => 'stopped'));
  }
});
