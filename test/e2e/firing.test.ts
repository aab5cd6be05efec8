/**
 * Firing end to end against the real broker: every timing fires the right occurrences with the
 * execution event format of the design; UPDATE changes the timing; DELETE stops further fires; bad
 * input goes to the DLQ without stopping the partition.
 */
import type { PunctualNode } from '../../src/cluster/punctual-node';
import type { PunctualConfig } from '../../src/config/config';
import { DLQ_HEADERS } from '../../src/ingest/dead-letter';
import type { IncomingRecord, KafkaPort, Producer } from '../../src/kafka/port';
import { namesInOnePartition, readCommittedUntil, readUpToMarker, testPort, uniqueName, valueOf } from '../helpers/kafka';
import { waitFor } from '../../src/util/wait-for';
import { definitionRecord, startNode, testConfig } from '../helpers/punctual';

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

function send(body: Record<string, unknown>): Promise<unknown> {
  return producer.send([definitionRecord(config.topics.definitions, body)]);
}

function eventsOf(records: IncomingRecord[]): Record<string, unknown>[] {
  return records.map((record) => JSON.parse(valueOf(record)) as Record<string, unknown>);
}

test('an at one-shot fires once, at or after its due time, with the design headers and value', async () => {
  const topic = uniqueName('out');
  const dueAt = Date.now() + 1_500;
  await send({ host: 'demo', name: 'hello', action: 'INSERT', at: new Date(dueAt).toISOString(), topic, data: { x: 1 }, headers: { team: 'blue' } });

  await readCommittedUntil(port, topic, (records) => records.length >= 1);
  const receivedAt = Date.now();
  // Read up to a marker written after the fire: exactly one event.
  const [event, ...rest] = await readUpToMarker(port, topic, 'demo/hello');
  expect(rest).toEqual([]);
  expect(event?.key?.toString()).toBe('demo/hello');
  expect(event?.headers).toEqual({
    team: 'blue',
    'punctual-id': 'demo/hello',
    'punctual-scheduled-at': String(dueAt),
    'punctual-occurrence': '1',
    'punctual-fire-id': `demo/hello@${dueAt}`,
  });
  const [value] = eventsOf(event ? [event] : []);
  expect(value).toMatchObject({ id: 'demo/hello', host: 'demo', name: 'hello', scheduledAt: new Date(dueAt).toISOString(), occurrence: 1, data: { x: 1 } });
  expect(Date.parse(String(value?.firedAt))).toBeGreaterThanOrEqual(dueAt);
  expect(receivedAt).toBeGreaterThanOrEqual(dueAt);
});

test('a delay one-shot fires at the definition record timestamp plus the delay', async () => {
  const topic = uniqueName('out');
  const sentAt = Date.now();
  await send({ host: 'demo', name: 'later', action: 'INSERT', delay: { timeUnit: 'MILLISECONDS', time: 800 }, topic, key: 'order-7' });

  const [event] = await readCommittedUntil(port, topic, (records) => records.length >= 1);
  const scheduledAt = Number(event?.headers['punctual-scheduled-at']);
  // The record timestamp is set by the producer between sentAt and now.
  expect(scheduledAt).toBeGreaterThanOrEqual(sentAt + 800);
  expect(scheduledAt).toBeLessThanOrEqual(Date.now());
  expect(event?.key?.toString()).toBe('order-7');
});

test('a bad definition goes to the DLQ with its reason and the good one behind it still fires', async () => {
  const topic = uniqueName('out');
  // Same host/name keys hash to the same partition as each other only by chance; the bad and good
  // records share a key here so the good one is really behind the bad one in one partition.
  await producer.send([
    { topic: config.topics.definitions, key: 'demo/same', value: '{not json' },
    definitionRecord(config.topics.definitions, { host: 'demo', name: 'same', action: 'INSERT', topic, at: new Date().toISOString() }),
  ]);
  await producer.send([definitionRecord(config.topics.definitions, { host: 'demo', name: 'no-topic', action: 'INSERT', delay: { timeUnit: 'SECONDS', time: 1 } })]);

  const fired = await readCommittedUntil(port, topic, (records) => records.length >= 1);
  expect(fired.map((record) => record.key?.toString())).toEqual(['demo/same']);

  const dead = await readCommittedUntil(port, config.topics.dlq, (records) => records.length >= 2);
  const reasons = Object.fromEntries(dead.map((record) => [record.key?.toString(), record.headers[DLQ_HEADERS.reason]]));
  expect(reasons['demo/same']).toMatch(/^\(body\): is not JSON/);
  expect(reasons['demo/no-topic']).toBe('topic: is required for INSERT');
  const notJson = dead.find((record) => record.key?.toString() === 'demo/same');
  expect(notJson && valueOf(notJson)).toBe('{not json');
  expect(notJson?.headers[DLQ_HEADERS.topic]).toBe(config.topics.definitions);
});

test('a DELETE or tombstone applied before the due time prevents the fire', async () => {
  const topic = uniqueName('out');
  const host = uniqueName('cancel');
  // One partition, so one task fires them all, in due order.
  const [cancelled, tombstoned, marker] = namesInOnePartition(port, config.topics.partitions, host, 's', 3) as [string, string, string];
  const dueAt = new Date(Date.now() + 2_000).toISOString();
  // Each cancellation right behind its INSERT in the log, applied before anything is due.
  await producer.send([
    definitionRecord(config.topics.definitions, { host, name: cancelled, action: 'INSERT', at: dueAt, topic }),
    definitionRecord(config.topics.definitions, { host, name: tombstoned, action: 'INSERT', at: dueAt, topic }),
    definitionRecord(config.topics.definitions, { host, name: cancelled, action: 'DELETE' }),
    { topic: config.topics.definitions, key: `${host}/${tombstoned}`, value: null },
  ]);
  // Due after the others in the same task: once it fired, they would have fired before it.
  await send({ host, name: marker, action: 'INSERT', at: new Date(Date.parse(dueAt) + 1).toISOString(), topic });

  await readCommittedUntil(port, topic, (records) => records.some((r) => r.key?.toString() === `${host}/${marker}`));
  const fired = await readUpToMarker(port, topic, `${host}/${marker}`);
  expect(fired.map((record) => record.key?.toString())).toEqual([`${host}/${marker}`]);
});

test('input offsets are committed by the firing transactions once nothing is pending', async () => {
  const topic = uniqueName('out');
  await send({ host: 'demo', name: 'offsets', action: 'INSERT', at: new Date().toISOString(), topic });
  await readCommittedUntil(port, topic, (records) => records.length >= 1);
  const admin = port.createAdmin();
  await admin.connect();
  try {
    const ends = await readEndOffsetsByReading();
    const committed = await admin.fetchCommittedOffsets(config.groupId, config.topics.definitions);
    // A partition no definition reached has 0: its restore barrier committed where its consumer starts.
    for (const { partition, offset } of committed) expect(offset).toBe(ends.get(partition) ?? 0);
  } finally {
    await admin.close();
  }
});

/** The end offset of every definitions partition this suite wrote, from reading it (read_committed). */
async function readEndOffsetsByReading(): Promise<Map<number, number>> {
  const records = await readCommittedUntil(port, config.topics.definitions, (seen) => seen.some((r) => r.key?.toString() === 'demo/offsets'));
  const ends = new Map<number, number>();
  for (const record of records) ends.set(record.partition, Math.max(ends.get(record.partition) ?? 0, record.offset + 1));
  return ends;
}

test('a six-field cron fires on each second, numbered occurrences, and stops at its limit', async () => {
  const topic = uniqueName('out');
  const definedAt = Date.now();
  await send({ host: 'demo', name: 'cron', action: 'INSERT', cron: '* * * * * *', timezone: 'Europe/Berlin', limit: 3, topic });
  const events = await readCommittedUntil(port, topic, (records) => records.length >= 3);
  const scheduled = events.map((event) => Number(event.headers['punctual-scheduled-at']));
  expect(events.map((event) => event.headers['punctual-occurrence'])).toEqual(['1', '2', '3']);
  expect(scheduled.every((t) => t % 1_000 === 0 && t >= definedAt - 1_000)).toBe(true);
  expect(scheduled[1]! - scheduled[0]!).toBe(1_000);
  expect(scheduled[2]! - scheduled[1]!).toBe(1_000);
  // The limit finished it: a marker after the 4th second shows nothing more came.
  await send({ host: 'demo', name: 'cron-marker', action: 'INSERT', at: new Date(scheduled[2]! + 2_500).toISOString(), topic });
  const all = await readCommittedUntil(port, topic, (records) => records.some((r) => r.key?.toString() === 'demo/cron-marker'));
  expect(all.filter((r) => r.key?.toString() === 'demo/cron')).toHaveLength(3);
});

test('an UPDATE replaces a frequency with a one-shot, and a DELETE stops a running frequency', async () => {
  const topic = uniqueName('out');
  const host = uniqueName('change');
  const [updated, deleted, applied, marker] = namesInOnePartition(port, config.topics.partitions, host, 's', 4) as [string, string, string, string];
  const idOf = (name: string): string => `${host}/${name}`;
  const firesOf = (records: IncomingRecord[], name: string): IncomingRecord[] => records.filter((r) => r.headers['punctual-id'] === idOf(name));
  await send({ host, name: updated, action: 'INSERT', frequency: { timeUnit: 'MILLISECONDS', time: 300 }, topic });
  await send({ host, name: deleted, action: 'INSERT', frequency: { timeUnit: 'MILLISECONDS', time: 300 }, topic });
  await readCommittedUntil(port, topic, (records) => [updated, deleted].every((name) => firesOf(records, name).length >= 2));

  const onceAt = Date.now() + 1_500;
  await send({ host, name: updated, action: 'UPDATE', at: new Date(onceAt).toISOString(), topic, data: { v: 2 } });
  await send({ host, name: deleted, action: 'DELETE' });
  // Written after both to the same partition: once the node shows it, both were applied.
  await send({ host, name: applied, action: 'INSERT', at: '2030-01-01T00:00:00Z', topic });
  await waitFor('the changes to be applied', async () => {
    const answer = await node.lookup(idOf(applied));
    return answer.owned && answer.state !== undefined;
  });
  const firedBeforeApplied = await readUpToMarker(port, topic, idOf(updated));
  // Two periods of the deleted frequency and the one-shot later, in the same task.
  await send({ host, name: marker, action: 'INSERT', at: new Date(Math.max(onceAt, Date.now() + 600) + 1).toISOString(), topic });
  await readCommittedUntil(port, topic, (records) => records.some((r) => r.key?.toString() === idOf(marker)));
  const all = await readUpToMarker(port, topic, idOf(marker));

  // The one-shot is the last fire of `updated`, after every occurrence of the frequency it replaced.
  const fires = firesOf(all, updated);
  const last = fires[fires.length - 1];
  expect(last?.headers['punctual-scheduled-at']).toBe(String(onceAt));
  expect(last?.headers['punctual-occurrence']).toBe('1');
  expect(JSON.parse(last ? valueOf(last) : '{}').data).toEqual({ v: 2 });
  expect(fires.slice(0, -1).every((r) => Number(r.headers['punctual-scheduled-at']) % 300 === 0 && JSON.parse(valueOf(r)).data === null)).toBe(true);
  // Nothing of `deleted` fired once the DELETE was applied.
  expect(firesOf(all, deleted)).toEqual(firesOf(firedBeforeApplied, deleted));
});
