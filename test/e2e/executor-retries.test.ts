/**
 * Retries through Punctual, end to end on the real broker: a node fires a one-shot, an executor's
 * handler fails, its outcome and the retry one-shot commit together, the node fires the retry as the
 * same occurrence's next attempt (same fire id, punctual-attempt 2) after the backoff, and the
 * handler's success ends it. A fire that always fails is dead-lettered after maxAttempts with its
 * last error.
 */
import type { PunctualNode } from '../../src/cluster/punctual-node';
import type { PunctualConfig } from '../../src/config/config';
import { createExecutor, type Executor, type Fire, type StatusValue } from '../../src/executor';
import type { IncomingRecord, KafkaPort, Producer } from '../../src/kafka/port';
import { silentLogger } from '../../src/log/logger';
import { readCommittedUntil, testBrokers, testPort, uniqueName } from '../helpers/kafka';
import { definitionRecord, startNode, testConfig } from '../helpers/punctual';

jest.setTimeout(120_000);

let port: KafkaPort;
let config: PunctualConfig;
let node: PunctualNode;
let producer: Producer;

beforeAll(async () => {
  port = testPort();
  config = testConfig();
  node = await startNode(port, config);
  producer = port.createProducer();
  await producer.connect();
});

afterAll(async () => {
  await producer.close();
  await node.stop();
});

function executorFor(topic: string, handler: (fire: Fire) => Promise<unknown>, maxAttempts: number): Executor {
  return createExecutor({
    brokers: testBrokers(),
    groupId: uniqueName('retry-executor'),
    handlers: { [topic]: handler },
    statusTopic: config.topics.status,
    deadLetterTopic: config.topics.executionsDlq,
    definitionsTopic: config.topics.definitions,
    retry: { maxAttempts, backoff: { type: 'fixed', initialMs: 1_500, jitter: 0 } },
    sessionTimeoutMs: 6_000,
    logger: silentLogger,
  });
}

const statusesOf = (records: IncomingRecord[], id: string): StatusValue[] =>
  records.map((record) => JSON.parse(record.value?.toString() ?? 'null') as StatusValue).filter((status) => status.id === id && status.status !== 'started');

test('a failed attempt is retried through Punctual as the same fire, attempt 2, after the backoff, and succeeds', async () => {
  const topic = uniqueName('retry-out');
  const seen: Fire[] = [];
  const executor = executorFor(
    topic,
    async (fire) => {
      seen.push(fire);
      if (fire.attempt === 1) throw new Error('the mail server is down');
      return { delivered: true };
    },
    3,
  );
  await executor.start();
  try {
    const dueAt = Date.now() + 1_000;
    await producer.send([definitionRecord(config.topics.definitions, { host: 'shop', name: 'mail', action: 'INSERT', at: new Date(dueAt).toISOString(), topic, data: { to: 'a@b' }, headers: { team: 'blue' } })]);
    const status = statusesOf(await readCommittedUntil(port, config.topics.status, (records) => statusesOf(records, 'shop/mail').length >= 2, 60_000), 'shop/mail');
    expect(status.map(({ attempt, status: outcome, fireId }) => ({ attempt, outcome, fireId }))).toEqual([
      { attempt: 1, outcome: 'retrying', fireId: `shop/mail@${dueAt}` },
      { attempt: 2, outcome: 'succeeded', fireId: `shop/mail@${dueAt}` },
    ]);
    expect(status[1]?.result).toEqual({ delivered: true });

    // The retry event: the same occurrence, its data and headers, the next attempt, not before the backoff.
    const events = await readCommittedUntil(port, topic, (records) => records.length >= 2, 30_000);
    expect(events.map((event) => event.headers['punctual-fire-id'])).toEqual([`shop/mail@${dueAt}`, `shop/mail@${dueAt}`]);
    expect(events.map((event) => event.headers['punctual-attempt'])).toEqual([undefined, '2']);
    expect(events[1]?.headers.team).toBe('blue');
    expect(seen.map((fire) => ({ id: fire.id, attempt: fire.attempt, occurrence: fire.occurrence, data: fire.data, scheduledAt: fire.scheduledAt.getTime() }))).toEqual([
      { id: 'shop/mail', attempt: 1, occurrence: 1, data: { to: 'a@b' }, scheduledAt: dueAt },
      { id: 'shop/mail', attempt: 2, occurrence: 1, data: { to: 'a@b' }, scheduledAt: dueAt },
    ]);
    const gap = Number(events[1]?.timestamp) - Date.parse(status[0]?.finishedAt ?? '');
    expect(gap).toBeGreaterThanOrEqual(1_500 - 5);
  } finally {
    await executor.stop();
  }
});

test('a fire that always fails is dead-lettered after the definition\'s maxAttempts (over the executor\'s), with the original event and every attempt\'s error; an explicit capability holds on every attempt', async () => {
  const topic = uniqueName('retry-out');
  const capabilities: string[] = [];
  const executor = createExecutor({
    brokers: testBrokers(),
    groupId: uniqueName('retry-executor'),
    topics: [topic],
    handlers: {
      [topic]: async () => {
        capabilities.push(topic);
        return null;
      },
      'mail.doomed': async (fire) => {
        capabilities.push(fire.capability);
        throw new Error(`attempt ${fire.attempt}: still down`);
      },
    },
    statusTopic: config.topics.status,
    deadLetterTopic: config.topics.executionsDlq,
    definitionsTopic: config.topics.definitions,
    // The definition's retry wins: three attempts 300 ms apart, not two 60 s apart.
    retry: { maxAttempts: 2, backoff: { type: 'fixed', initialMs: 60_000, maxMs: 60_000, jitter: 0 } },
    sessionTimeoutMs: 6_000,
    logger: silentLogger,
  });
  await executor.start();
  try {
    const dueAt = Date.now() + 500;
    const retry = { maxAttempts: 3, backoff: { initialMs: 300, maxMs: 300 } };
    await producer.send([definitionRecord(config.topics.definitions, { host: 'shop', name: 'doomed', action: 'INSERT', at: new Date(dueAt).toISOString(), topic, data: { n: 1 }, headers: { 'punctual-capability': 'mail.doomed' }, retry })]);
    const status = statusesOf(await readCommittedUntil(port, config.topics.status, (records) => statusesOf(records, 'shop/doomed').length >= 3, 60_000), 'shop/doomed');
    expect(status.map(({ attempt, status: outcome, capability }) => ({ attempt, outcome, capability }))).toEqual([
      { attempt: 1, outcome: 'retrying', capability: 'mail.doomed' },
      { attempt: 2, outcome: 'retrying', capability: 'mail.doomed' },
      { attempt: 3, outcome: 'dead-lettered', capability: 'mail.doomed' },
    ]);
    expect(capabilities).toEqual(['mail.doomed', 'mail.doomed', 'mail.doomed']);
    const [dead] = await readCommittedUntil(port, config.topics.executionsDlq, (records) => records.some((record) => record.headers['punctual-id'] === 'shop/doomed'), 30_000);
    expect(dead?.headers['punctual-dlq-reason']).toBe('attempt 3 of 3 failed; last error Error: attempt 3: still down');
    expect(dead?.headers['punctual-attempt']).toBe('3');
    expect(JSON.parse(dead?.value?.toString() ?? 'null')).toMatchObject({ id: 'shop/doomed', occurrence: 1, data: { n: 1 } });
    const errors = JSON.parse(dead?.headers['punctual-attempt-errors'] ?? '[]') as { attempt: number; type: string; message: string; finishedAt: string }[];
    expect(errors.map(({ attempt, type, message }) => ({ attempt, type, message }))).toEqual([1, 2, 3].map((attempt) => ({ attempt, type: 'Error', message: `attempt ${attempt}: still down` })));
    expect(errors.map((error) => error.finishedAt)).toEqual(status.map((attempt) => attempt.finishedAt));
  } finally {
    await executor.stop();
  }
});
