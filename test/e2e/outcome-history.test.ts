/**
 * The loop closed, end to end on the real broker and over HTTP: an executor runs the events of two
 * nodes, its status records reach the node owning each schedule, and `GET .../history` and the
 * schedule's `lastOutcome` show every attempt, whichever node is asked; a node that stops hands its
 * partitions over and the other one restores their history from the changelog.
 */
import type { PunctualConfig } from '../../src/config/config';
import type { OccurrenceOutcome } from '../../src/domain/occurrence-outcome';
import { createExecutor, type Executor } from '../../src/executor';
import type { KafkaPort } from '../../src/kafka/port';
import { silentLogger } from '../../src/log/logger';
import { waitFor } from '../../src/util/wait-for';
import { produceAll, testBrokers, testPort, uniqueName } from '../helpers/kafka';
import { anotherNode, definitionRecord, startApiNode, testConfig, type ApiNode } from '../helpers/punctual';

jest.setTimeout(120_000);

let port: KafkaPort;
let config: PunctualConfig;
let nodes: ApiNode[];
let executor: Executor;
const topic = uniqueName('history-out');

beforeAll(async () => {
  port = testPort();
  config = testConfig();
  nodes = [await startApiNode(port, config), await startApiNode(port, anotherNode(config, 'b'))];
  await waitFor('both nodes to be ready', async () => (await Promise.all(nodes.map((node) => fetch(`${node.url}/health/ready`)))).every((r) => r.status === 200), { timeoutMs: 60_000, intervalMs: 200 });
  executor = createExecutor({
    brokers: testBrokers(),
    groupId: uniqueName('history-executor'),
    handlers: {
      [topic]: async (fire) => {
        if (fire.name === 'mail' && fire.attempt === 1) throw new Error('the mail server is down');
        return { ran: fire.name, occurrence: fire.occurrence };
      },
    },
    statusTopic: config.topics.status,
    deadLetterTopic: config.topics.executionsDlq,
    definitionsTopic: config.topics.definitions,
    retry: { maxAttempts: 3, backoff: { type: 'fixed', initialMs: 1_000, jitter: 0 } },
    sessionTimeoutMs: 6_000,
    logger: silentLogger,
  });
  await executor.start();
});

afterAll(async () => {
  await executor.stop();
  await Promise.all(nodes.map((node) => node.stop()));
});

async function get(base: string, path: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const historyOf = async (base: string, id: string, limit = 20): Promise<OccurrenceOutcome[]> => {
  const answer = await get(base, `/v1/schedules/${id}/history?limit=${limit}`);
  return answer.status === 200 ? (answer.json.items as OccurrenceOutcome[]) : [];
};

test('history and lastOutcome show every attempt on either node, a finished one-shot keeps its history, and a takeover restores it', async () => {
  const dueAt = Date.now() + 1_000;
  await produceAll(port, [
    definitionRecord(config.topics.definitions, { host: 'shop', name: 'mail', action: 'INSERT', at: new Date(dueAt).toISOString(), topic }),
    definitionRecord(config.topics.definitions, { host: 'shop', name: 'tick', action: 'INSERT', frequency: { timeUnit: 'SECONDS', time: 1 }, limit: 3, topic }),
  ]);

  // The one-shot failed once, was retried through Punctual, and succeeded: both nodes answer alike.
  for (const node of nodes) {
    const [mail] = await waitFor('the retried one-shot to succeed', async () => {
      const items = await historyOf(node.url, 'shop/mail');
      return items[0]?.status === 'succeeded' ? items : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
    expect(mail).toMatchObject({ id: 'shop/mail', fireId: `shop/mail@${dueAt}`, occurrence: 1, scheduledAt: new Date(dueAt).toISOString(), status: 'succeeded', result: { ran: 'mail', occurrence: 1 } });
    expect(mail?.attempts.map(({ attempt, result, executorId, error }) => ({ attempt, result, executorId, error }))).toEqual([
      { attempt: 1, result: 'failed', executorId: executor.executorId, error: { type: 'Error', message: 'the mail server is down' } },
      { attempt: 2, result: 'succeeded', executorId: executor.executorId, error: undefined },
    ]);
    for (const attempt of mail?.attempts ?? []) expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
    // The retry came no sooner than the backoff after the failed attempt ended.
    expect(Date.parse(mail?.attempts[1]?.startedAt ?? '') - Date.parse(mail?.attempts[0]?.finishedAt ?? '')).toBeGreaterThanOrEqual(1_000 - 5);
  }
  // The one-shot is done: it is no schedule any more, and its history stays.
  expect((await get(nodes[0]!.url, '/v1/schedules/shop/mail')).status).toBe(404);

  // The frequency schedule's three occurrences, latest first; the schedule shows the last one.
  const ticks = await waitFor('three ticks to succeed', async () => {
    const items = await historyOf(nodes[1]!.url, 'shop/tick');
    return items.length === 3 && items.every((item) => item.status === 'succeeded') ? items : undefined;
  }, { timeoutMs: 60_000, intervalMs: 200 });
  expect(ticks.map((tick) => tick.occurrence)).toEqual([3, 2, 1]);
  expect((await historyOf(nodes[0]!.url, 'shop/tick', 2)).map((tick) => tick.occurrence)).toEqual([3, 2]);

  // Outcomes and retries are counted by the nodes that recorded them, once their transaction
  // committed: the history answers from what is recorded but not yet committed, so the counts follow it.
  const metric = async (name: string): Promise<number> => {
    let sum = 0;
    for (const node of nodes) {
      const text = await (await fetch(`${node.url}/metrics`)).text();
      for (const line of text.split('\n')) if (line.startsWith(name)) sum += Number(line.split(' ').at(-1));
    }
    return sum;
  };
  // One succeeded attempt of the one-shot and three of the ticks; the one-shot's one retry.
  const counted = async (name: string, expected: number): Promise<number> => waitFor(`${name} to reach ${expected}`, async () => {
    const sum = await metric(name);
    return sum >= expected ? sum : undefined;
  }, { timeoutMs: 10_000, intervalMs: 100 });
  expect(await counted('punctual_outcomes_total{status="succeeded"}', 4)).toBe(4);
  expect(await counted('punctual_retries_total', 1)).toBe(1);

  // Node b stops: node a takes every partition and restores their history from the changelog.
  const before = { mail: await historyOf(nodes[0]!.url, 'shop/mail'), tick: await historyOf(nodes[0]!.url, 'shop/tick') };
  await nodes[1]!.stop();
  nodes = [nodes[0]!];
  await waitFor('node a to own every partition', () => nodes[0]!.node.ownedPartitions().length === config.topics.partitions && nodes[0]!.node.isReady(), { timeoutMs: 60_000, intervalMs: 200 });
  expect({ mail: await historyOf(nodes[0]!.url, 'shop/mail'), tick: await historyOf(nodes[0]!.url, 'shop/tick') }).toEqual(before);
});

test('a schedule without outcomes has an empty history, an unknown one none, and a bad limit is refused naming it', async () => {
  await produceAll(port, [definitionRecord(config.topics.definitions, { host: 'shop', name: 'later', action: 'INSERT', at: '2099-01-01T00:00:00Z', topic })]);
  const base = nodes[0]!.url;
  await waitFor('the schedule to be applied', async () => (await get(base, '/v1/schedules/shop/later')).status === 200, { timeoutMs: 30_000 });
  expect((await get(base, '/v1/schedules/shop/later')).json.lastOutcome).toBeNull();
  expect(await get(base, '/v1/schedules/shop/later/history')).toEqual({ status: 200, json: { id: 'shop/later', items: [] } });
  expect(await get(base, '/v1/schedules/shop/nothing/history')).toMatchObject({ status: 404, json: { error: 'not_found', message: 'schedule shop/nothing does not exist and has no history' } });
  expect(await get(base, '/v1/schedules/shop/later/history?limit=0')).toMatchObject({ status: 400, json: { field: 'limit' } });
});
