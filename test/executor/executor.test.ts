/**
 * The executor against the real broker: execution events as a node writes them, handlers that
 * succeed, fail, refuse retries and time out; every attempt's outcome read_committed from the status
 * topic exactly once, what cannot run in the execution dead-letter topic, and the group's committed
 * offsets at the end of every partition. A graceful stop mid-run hands over to another executor
 * with no outcome recorded twice.
 */
import { executionEvent } from '../../src/domain/execution-event';
import { validateDefinition } from '../../src/domain/definition-validation';
import type { ScheduleDefinition } from '../../src/domain/definition';
import { createExecutor, NonRetryableError, type Executor, type Handler, type StatusValue } from '../../src/executor';
import type { IncomingRecord, KafkaPort, OutgoingRecord } from '../../src/kafka/port';
import { silentLogger } from '../../src/log/logger';
import { sleep } from '../../src/util/sleep';
import { createTopic, produceAll, readCommittedUntil, testBrokers, testPort, uniqueName } from '../helpers/kafka';

jest.setTimeout(120_000);

let port: KafkaPort;

beforeAll(() => {
  port = testPort();
});

interface Topics {
  target: string;
  status: string;
  dlq: string;
  definitions: string;
  groupId: string;
}

async function topics(partitions: number): Promise<Topics> {
  const names = { target: uniqueName('exec-target'), status: uniqueName('exec-status'), dlq: uniqueName('exec-dlq'), definitions: uniqueName('exec-definitions'), groupId: uniqueName('exec-group') };
  await Promise.all([createTopic(port, names.target, partitions), createTopic(port, names.status, partitions), createTopic(port, names.dlq), createTopic(port, names.definitions)]);
  return names;
}

/** An execution event for schedule `shop/<name>` as a node writes it, to `partition` of `topic`. */
function event(topic: string, name: string, data: unknown, partition: number, headers: Record<string, string> = {}): OutgoingRecord {
  const definition = { id: `shop/${name}`, host: 'shop', name, topic, data } as unknown as ScheduleDefinition;
  const written = executionEvent(definition, { scheduledAt: Date.now(), occurrence: 1 }, Date.now());
  return { topic, key: written.key, value: written.value, headers: { ...written.headers, ...headers }, partition };
}

function executor(names: Topics, handlers: Record<string, Handler>, extra: Partial<Parameters<typeof createExecutor>[0]> = {}): Executor {
  return createExecutor({ brokers: testBrokers(), groupId: names.groupId, handlers, topics: [names.target], statusTopic: names.status, deadLetterTopic: names.dlq, definitionsTopic: names.definitions, logger: silentLogger, sessionTimeoutMs: 6_000, ...extra });
}

const statusOf = (record: IncomingRecord): StatusValue => JSON.parse(record.value?.toString('utf8') ?? 'null') as StatusValue;
/** The status records that end an attempt (not its `started`). */
const ends = (records: IncomingRecord[]): IncomingRecord[] => records.filter((record) => statusOf(record).status !== 'started');

/** Attempt-ending status values by schedule id; fails if any fire has more than one for one attempt. */
function byFire(records: IncomingRecord[]): Map<string, StatusValue> {
  const seen = new Map<string, StatusValue>();
  const twice: string[] = [];
  for (const status of ends(records).map(statusOf)) {
    const key = `${status.fireId}#${status.attempt}`;
    if (seen.has(key)) twice.push(key);
    seen.set(key, status);
  }
  expect(twice).toEqual([]);
  return new Map([...seen.values()].map((status) => [status.id, status]));
}

async function committedOffsets(names: Topics, partitions: number): Promise<number[]> {
  const admin = port.createAdmin();
  await admin.connect();
  try {
    const offsets = await admin.fetchStableOffsets(names.groupId, Array.from({ length: partitions }, (_, partition) => ({ topic: names.target, partition })), 30_000);
    return offsets.sort((a, b) => a.partition - b.partition).map((offset) => offset.offset);
  } finally {
    await admin.close();
  }
}

test('every attempt has one outcome in the status topic; what cannot run is dead-lettered; offsets end at every partition end', async () => {
  const names = await topics(3);
  const records: OutgoingRecord[] = [];
  for (let i = 0; i < 12; i++) records.push(event(names.target, `ok-${i}`, { kind: 'ok', i }, i % 3));
  records.push(event(names.target, 'flaky', { kind: 'flaky' }, 0));
  records.push(event(names.target, 'broken', { kind: 'broken' }, 1));
  records.push(event(names.target, 'slow', { kind: 'slow' }, 2));
  records.push(event(names.target, 'sms', { kind: 'ok' }, 0, { 'punctual-capability': 'sms' }));
  records.push({ topic: names.target, key: 'x', value: 'not an event', partition: 1 });
  records.push(event(names.target, 'after', { kind: 'ok' }, 1));
  await produceAll(port, records);

  const handler: Handler = async (fire, { signal }) => {
    const { kind, i } = fire.data as { kind: string; i?: number };
    if (kind === 'flaky') throw new Error('smtp timeout');
    if (kind === 'broken') throw new NonRetryableError('no such address');
    if (kind === 'slow') await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
    return { sent: i ?? -1, attempt: fire.attempt };
  };
  const running = executor(names, { [names.target]: handler }, { timeoutMs: 500, retry: { maxAttempts: 3, backoff: { type: 'fixed', initialMs: 2_000, jitter: 0 } } });
  await running.start();
  try {
    // Outcomes: 12 ok + after, flaky (retrying), broken (dead-lettered), slow (timed out: retrying).
    const statusRecords = await readCommittedUntil(port, names.status, (seen) => ends(seen).length >= 16, 60_000);
    const status = byFire(statusRecords);
    expect(status.size).toBe(16);
    // A start is recorded before its end, in the same status partition; an attempt still running at
    // the next transaction has one (the slow one ran 500 ms), one that ended by then needs none.
    const starts = statusRecords.filter((record) => statusOf(record).status === 'started');
    for (const start of starts) {
      const { fireId, attempt } = statusOf(start);
      const end = ends(statusRecords).find((record) => statusOf(record).fireId === fireId && statusOf(record).attempt === attempt);
      expect({ fireId, startedBeforeEnd: end !== undefined && start.partition === end.partition && start.offset < end.offset }).toEqual({ fireId, startedBeforeEnd: true });
    }
    expect(starts.map((record) => statusOf(record).id)).toContain('shop/slow');
    for (let i = 0; i < 12; i++) expect(status.get(`shop/ok-${i}`)).toMatchObject({ status: 'succeeded', attempt: 1, result: { sent: i, attempt: 1 }, capability: names.target, executorId: running.executorId });
    expect(status.get('shop/after')?.status).toBe('succeeded');
    const flaky = status.get('shop/flaky');
    expect(flaky).toMatchObject({ status: 'retrying', attempt: 1, error: { type: 'Error', message: 'smtp timeout' } });
    expect(Date.parse(flaky?.nextAttemptAt ?? '') - Date.parse(flaky?.finishedAt ?? '')).toBe(2_000);
    expect(status.get('shop/broken')).toMatchObject({ status: 'dead-lettered', error: { type: 'NonRetryableError', message: 'no such address' } });
    expect(status.get('shop/slow')).toMatchObject({ status: 'retrying', error: { type: 'HandlerTimeoutError', message: 'the handler did not finish within 500 ms' } });

    // Each retry is a valid one-shot definition, written with its outcome, that fires as the same occurrence's next attempt.
    const retries = (await readCommittedUntil(port, names.definitions, (seen) => seen.length >= 2, 30_000)).map((record) => validateDefinition(JSON.parse(record.value?.toString() ?? 'null')));
    const retryOf = retries.map((retry) => (retry.ok && retry.action === 'UPSERT' ? { id: retry.definition.retryOf?.id ?? '', attempt: retry.definition.retryOf?.attempt, at: retry.definition.timing } : { id: '', refused: retry }));
    expect(retryOf.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'shop/flaky', attempt: 2, at: { kind: 'at', at: Date.parse(flaky?.nextAttemptAt ?? '') } },
      { id: 'shop/slow', attempt: 2, at: { kind: 'at', at: Date.parse(status.get('shop/slow')?.nextAttemptAt ?? '') } },
    ]);

    const dead = await readCommittedUntil(port, names.dlq, (seen) => seen.length >= 3, 30_000);
    const reasons = dead.map((record) => record.headers['punctual-dlq-reason']).sort();
    expect(reasons).toEqual([
      expect.stringContaining('NonRetryableError: not retried; last error NonRetryableError: no such address'),
      expect.stringContaining('no handler for capability "sms"'),
      expect.stringContaining('not a Punctual event: no punctual-fire-id header'),
    ].sort((a, b) => (String(a) < String(b) ? -1 : 1)));
    const refused = dead.find((record) => record.headers['punctual-dlq-reason']?.startsWith('not a Punctual event'));
    expect(refused?.value?.toString()).toBe('not an event');
    expect(refused?.headers['punctual-dlq-original-topic']).toBe(names.target);

    await sleep(500);
    expect(await committedOffsets(names, 3)).toEqual([6, 7, 5]);
    expect(await running.metrics.registry.getSingleMetricAsString('punctual_executor_executions_total')).toContain(`capability="${names.target}",outcome="succeeded"} 13`);
  } finally {
    await running.stop();
  }
});

test('a graceful stop mid-run lets running handlers finish and commits their outcomes; the next executor of the group runs the rest, none twice', async () => {
  const names = await topics(2);
  const count = 40;
  await produceAll(port, Array.from({ length: count }, (_, i) => event(names.target, `job-${i}`, { i }, i % 2)));
  const ran: string[] = [];
  const handler: Handler = async (fire) => {
    ran.push(fire.id);
    await sleep(100);
    return { ok: true };
  };
  // The first executor's handlers after its tenth wait until its stop has begun, then finish.
  let stopBegun = (): void => undefined;
  const stopping = new Promise<void>((resolve) => (stopBegun = resolve));
  const first = executor(names, { [names.target]: async (fire, ctx) => (ran.length >= 10 ? stopping.then(() => handler(fire, ctx)) : handler(fire, ctx)) }, { concurrency: 4 });
  await first.start();
  await readCommittedUntil(port, names.status, (seen) => ends(seen).length >= 8, 30_000);
  const stopped = first.stop();
  stopBegun();
  await stopped;
  // At most ten, and the four that may have been waiting when the stop began.
  expect(ran.length).toBeGreaterThanOrEqual(8);
  expect(ran.length).toBeLessThanOrEqual(14);

  const second = executor(names, { [names.target]: handler }, { concurrency: 4 });
  await second.start();
  try {
    const status = byFire(await readCommittedUntil(port, names.status, (seen) => ends(seen).length >= count, 60_000));
    expect(status.size).toBe(count);
    expect(new Set([...status.values()].map((value) => value.executorId))).toEqual(new Set([first.executorId, second.executorId]));
    // Nothing the first executor finished ran again: its outcomes were committed with its offsets.
    expect(ran.length).toBe(count);
    expect(await committedOffsets(names, 2)).toEqual([count / 2, count / 2]);
  } finally {
    await second.stop();
  }
});

test('an executor refuses to start when the topics it writes outcomes to do not exist, naming them', async () => {
  const names = await topics(1);
  const missing = uniqueName('no-such-status');
  const refused = executor(names, { [names.target]: async () => null }, { statusTopic: missing });
  await expect(refused.start()).rejects.toThrow(`the executor writes to ${missing}, which do not exist`);
});
