/**
 * What Punctual relies on from kafkajs, proven against the real broker through the Kafka port.
 */
import { Kafka, logLevel } from 'kafkajs';
import { TransactionFailedError } from '../../src/kafka/errors';
import type { GroupConsumer, KafkaPort } from '../../src/kafka/port';
import { createTopic, groupMembers, readCommitted, readCommittedUntil, sortPartitions, testBrokers, testPort, uniqueName, valueOf } from '../helpers/kafka';
import { waitFor } from '../../src/util/wait-for';

let port: KafkaPort;


beforeAll(() => {
  port = testPort();
});

test('a record produced with acks=all is consumed with its key, value and headers', async () => {
  const topic = uniqueName('plain');
  await createTopic(port, topic);
  const producer = port.createProducer();
  await producer.connect();
  const [metadata] = await producer.send([{ topic, key: 'k1', value: 'v1', headers: { 'x-test': 'yes' } }]);
  await producer.close();
  expect(metadata).toEqual({ topic, partition: 0, offset: 0 });

  const [record] = await readCommitted(port, topic, 1);
  expect(record?.key?.toString()).toBe('k1');
  expect(record && valueOf(record)).toBe('v1');
  expect(record?.headers).toEqual({ 'x-test': 'yes' });
});

test('many overlapping sends on one durable producer (the REST write path) each land once, every send as one ordered batch', async () => {
  const topic = uniqueName('overlap');
  await createTopic(port, topic, 3);
  const producer = port.createProducer();
  await producer.connect();
  const calls = 300;
  const perCall = 4;
  try {
    // Every call starts before any has been answered, as concurrent HTTP requests would.
    const sends = Array.from({ length: calls }, (_, call) =>
      producer.send(Array.from({ length: perCall }, (__, i) => ({ topic, key: `k${call}`, value: `${call}.${i}` }))),
    );
    await Promise.all(sends);
  } finally {
    await producer.close();
  }

  const records = await readCommitted(port, topic, calls * perCall);
  expect(new Set(records.map(valueOf)).size).toBe(calls * perCall);
  // One send's records share a key, hence a partition: they must sit there in order, next to each other.
  const byCall = new Map<string, { offsets: number[]; values: string[] }>();
  for (const record of records) {
    const key = record.key?.toString() ?? '';
    const entry = byCall.get(key) ?? { offsets: [], values: [] };
    entry.offsets.push(record.offset);
    entry.values.push(valueOf(record));
    byCall.set(key, entry);
  }
  expect(byCall.size).toBe(calls);
  for (const [key, { offsets, values }] of byCall) {
    expect(values).toEqual(Array.from({ length: perCall }, (_, i) => `${key.slice(1)}.${i}`));
    expect(offsets).toEqual(Array.from({ length: perCall }, (_, i) => (offsets[0] ?? -1) + i));
  }
});

test('two members of one group split the partitions of a topic between them', async () => {
  const topic = uniqueName('split');
  const groupId = uniqueName('group');
  await createTopic(port, topic, 4);
  const received: string[][] = [[], []];
  const { members, owned } = groupMembers(port, groupId, topic, 2, (i, batch) => void received[i]?.push(...batch.records.map((r) => `${r.partition}:${valueOf(r)}`)));
  try {
    for (const member of members) await member.start();
    await waitFor('both members to own partitions', () => owned.every((o) => o.length > 0) && owned.flat().length === 4);
    expect(owned.flat().sort()).toEqual([0, 1, 2, 3]);

    const producer = port.createProducer();
    await producer.connect();
    await producer.send([0, 1, 2, 3].map((partition) => ({ topic, key: null, value: `p${partition}`, partition })));
    await producer.close();
    await waitFor('every record to reach its owner', () => received.flat().length === 4);
    for (const [i, member] of owned.entries()) {
      const expected = member.map((partition) => `${partition}:p${partition}`).sort();
      expect([...(received[i] ?? [])].sort()).toEqual(expected);
    }
  } finally {
    await Promise.all(members.map((member) => member.stop()));
  }
});

test('a member holds its work from a join until the assignment is applied, and hands out the new generation only after revoking what it took away', async () => {
  const topic = uniqueName('generation');
  const groupId = uniqueName('group');
  await createTopic(port, topic, 2);
  const events: string[] = [];
  // Called by the listener only once the member has started, after `first` is set.
  const generationOf = (): number => first.generation()?.generationId ?? -1;
  const first: GroupConsumer = port.createGroupConsumer({
    groupId,
    topics: [topic],
    fromBeginning: true,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 500,
    listener: {
      onAssigned: async (partitions) => void events.push(`assigned ${partitions.length} under ${generationOf()}`),
      onRevoked: async (partitions) => void events.push(`revoked ${partitions.length} under ${generationOf()}`),
      onRejoining: () => void events.push(`rejoining under ${generationOf()}`),
      onRecords: async () => undefined,
    },
  });
  const { members } = groupMembers(port, groupId, topic, 1);
  const [second] = members as [GroupConsumer];
  try {
    await first.start();
    await waitFor('the first member to own both partitions', () => events.some((e) => e.startsWith('assigned 2')));
    const before = generationOf();
    await second.start();
    await waitFor('the first member to give a partition up', () => events.some((e) => e.startsWith('revoked 1')));
    await waitFor('the first member to apply its new assignment', () => events.length >= 4);
    const after = generationOf();
    expect(after).toBeGreaterThan(before);
    // Held before anything changes hands; the revocation still sees the old generation; the new one comes with the assignment.
    expect(events.slice(1, 4)).toEqual([`rejoining under ${before}`, `revoked 1 under ${before}`, `assigned 0 under ${after}`]);
  } finally {
    await Promise.all([first.stop(), second.stop()]);
  }
});

test('a committed transaction is visible to read_committed readers and an aborted one is not', async () => {
  const topic = uniqueName('txn');
  await createTopic(port, topic);
  const producer = port.createTransactionalProducer(uniqueName('tx'));
  await producer.connect();
  try {
    const aborted = await producer.beginTransaction();
    await aborted.send([{ topic, key: 'k', value: 'aborted' }]);
    await aborted.abort();
    const committed = await producer.beginTransaction();
    await committed.send([{ topic, key: 'k', value: 'committed' }]);
    await committed.commit();
  } finally {
    await producer.close();
  }

  const seen = await readCommittedUntil(port, topic, (records) => records.some((r) => valueOf(r) === 'committed'));
  expect(seen.map(valueOf)).toEqual(['committed']);
  // The aborted record was written to the log: a read_uncommitted kafkajs consumer sees it.
  expect(await readUncommittedValues(topic, 2)).toEqual(['aborted', 'committed']);
});

test('offsets sent inside a transaction are committed with it, and discarded when it aborts', async () => {
  const topic = uniqueName('out');
  const input = uniqueName('in');
  const groupId = uniqueName('group');
  await createTopic(port, topic);
  await createTopic(port, input, 2);
  const producer = port.createTransactionalProducer(uniqueName('tx'));
  await producer.connect();
  try {
    const committed = await producer.beginTransaction();
    await committed.send([{ topic, key: 'k', value: 'v' }]);
    await committed.sendOffsets(groupId, [{ topic: input, partition: 1, offset: 42 }]);
    await committed.commit();
    const aborted = await producer.beginTransaction();
    await aborted.send([{ topic, key: 'k', value: 'v2' }]);
    await aborted.sendOffsets(groupId, [{ topic: input, partition: 0, offset: 7 }, { topic: input, partition: 1, offset: 99 }]);
    await aborted.abort();
  } finally {
    await producer.close();
  }
  const admin = port.createAdmin();
  await admin.connect();
  try {
    const offsets = await admin.fetchCommittedOffsets(groupId, input);
    expect(sortPartitions(offsets)).toEqual([
      { topic: input, partition: 0, offset: -1 },
      { topic: input, partition: 1, offset: 42 },
    ]);
  } finally {
    await admin.close();
  }
});

test('a member commits offsets of a partition it owns outside any transaction (the at-least-once mode)', async () => {
  const topic = uniqueName('plain-commit');
  const groupId = uniqueName('group');
  await createTopic(port, topic, 1);
  const { members, owned } = groupMembers(port, groupId, topic, 1);
  const [member] = members;
  if (!member) throw new Error('no member');
  await member.start();
  const admin = port.createAdmin();
  await admin.connect();
  try {
    await waitFor('the partition to be owned', () => owned[0]?.length === 1);
    await member.commitOffsets([{ topic, partition: 0, offset: 7 }]);
    expect(await admin.fetchCommittedOffsets(groupId, topic)).toEqual([{ topic, partition: 0, offset: 7 }]);
  } finally {
    await member.stop();
    await admin.close();
  }
});

test('a new producer with the same transactional.id fences the old one', async () => {
  const topic = uniqueName('fence');
  await createTopic(port, topic);
  const transactionalId = uniqueName('tx');
  const zombie = port.createTransactionalProducer(transactionalId);
  await zombie.connect();
  const open = await zombie.beginTransaction();
  await open.send([{ topic, key: 'k', value: 'from-zombie' }]);

  const owner = port.createTransactionalProducer(transactionalId);
  await owner.connect();
  try {
    const failure = await open.commit().then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(TransactionFailedError);
    expect((failure as TransactionFailedError).fenced).toBe(true);

    const transaction = await owner.beginTransaction();
    await transaction.send([{ topic, key: 'k', value: 'from-owner' }]);
    await transaction.commit();
  } finally {
    await Promise.all([zombie.close(), owner.close()]);
  }
  const seen = await readCommittedUntil(port, topic, (records) => records.some((r) => valueOf(r) === 'from-owner'));
  expect(seen.map(valueOf)).toEqual(['from-owner']);
});

/** kafkajs used directly: the port reads committed data only, by design. */
async function readUncommittedValues(topic: string, count: number): Promise<string[]> {
  const kafka = new Kafka({ brokers: testBrokers(), clientId: 'uncommitted-reader', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('uncommitted'), readUncommitted: true, maxWaitTimeInMs: 100 });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value?.toString() ?? '') });
    await waitFor(`${count} uncommitted records`, () => values.length >= count);
  } finally {
    await consumer.disconnect();
  }
  return values.slice(0, count);
}

test('a transactional send reports the offset of its first record per partition', async () => {
  const topic = uniqueName('meta');
  await createTopic(port, topic, 2);
  const producer = port.createTransactionalProducer(uniqueName('tx'));
  await producer.connect();
  try {
    const first = await producer.beginTransaction();
    const metadata = await first.send([0, 0, 1].map((partition, i) => ({ topic, key: `k${i}`, value: `v${i}`, partition })));
    await first.commit();
    expect(sortPartitions(metadata)).toEqual([
      { topic, partition: 0, offset: 0 },
      { topic, partition: 1, offset: 0 },
    ]);
    const second = await producer.beginTransaction();
    // The commit marker of the first transaction takes offset 2 of partition 0.
    expect(await second.send([{ topic, key: 'k', value: 'v', partition: 0 }])).toEqual([{ topic, partition: 0, offset: 3 }]);
    await second.commit();
  } finally {
    await producer.close();
  }
});

test('readPartition reads one partition from an offset up to a bound, committed records only', async () => {
  const topic = uniqueName('read');
  await createTopic(port, topic, 2);
  const producer = port.createTransactionalProducer(uniqueName('tx'));
  await producer.connect();
  const offsets: Record<string, number> = {};
  try {
    for (const value of ['a', 'b', 'aborted', 'c', 'd', 'end']) {
      const transaction = await producer.beginTransaction();
      const records = [{ topic, key: 'k', value, partition: 1 }, { topic, key: 'k', value: `other-${value}`, partition: 0 }];
      const metadata = await transaction.send(records.slice(0, value === 'b' ? 2 : 1));
      offsets[value] = metadata.find((m) => m.partition === 1)?.offset ?? -1;
      if (value === 'aborted') await transaction.abort();
      else await transaction.commit();
    }
  } finally {
    await producer.close();
  }
  const read: string[] = [];
  await port.readPartition({
    topic,
    partition: 1,
    fromOffset: offsets.b ?? -1,
    untilOffset: offsets.end ?? -1,
    onRecords: async (records) => void read.push(...records.map(valueOf)),
  });
  expect(read).toEqual(['b', 'c', 'd']);
});

test('assignment is sticky: when a member leaves, the others keep their partitions and share only its ones', async () => {
  const topic = uniqueName('sticky');
  const groupId = uniqueName('group');
  await createTopic(port, topic, 6);
  const { members, owned } = groupMembers(port, groupId, topic, 3);
  try {
    for (const member of members) await member.start();
    await waitFor('three members with two partitions each', () => owned.every((o) => o.length === 2));
    const before = owned.map((o) => [...o].sort());
    await members[2]?.stop();
    await waitFor('two members with three partitions each', () => owned.slice(0, 2).every((o) => o.length === 3));
    for (const i of [0, 1]) expect(owned[i]).toEqual(expect.arrayContaining(before[i] ?? []));
    expect([...(owned[0] ?? []), ...(owned[1] ?? [])].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  } finally {
    await Promise.all(members.slice(0, 2).map((member) => member.stop()));
  }
});

test('a transaction with more than the broker max.message.bytes (1 MB) for one partition commits', async () => {
  const topic = uniqueName('large');
  await createTopic(port, topic);
  const producer = port.createTransactionalProducer(uniqueName('tx'));
  await producer.connect();
  const value = 'x'.repeat(1_000);
  try {
    const transaction = await producer.beginTransaction();
    const metadata = await transaction.send(Array.from({ length: 3_000 }, (_, i) => ({ topic, key: `k${i}`, value })));
    await transaction.commit();
    expect(metadata).toEqual([{ topic, partition: 0, offset: 0 }]);
  } finally {
    await producer.close();
  }
  const records = await readCommitted(port, topic, 3_000);
  expect(records.map((r) => r.key?.toString())).toEqual(Array.from({ length: 3_000 }, (_, i) => `k${i}`));
});

test('members advertise an address that the group description returns with their partitions', async () => {
  const topic = uniqueName('advertise');
  const groupId = uniqueName('group');
  await createTopic(port, topic, 4);
  const addresses = ['http://127.0.0.1:18081', 'http://127.0.0.1:18082'];
  const members = addresses.map((advertisedAddress) =>
    port.createGroupConsumer({
      groupId,
      topics: [topic],
      fromBeginning: true,
      advertisedAddress,
      listener: { onAssigned: async () => undefined, onRevoked: async () => undefined, onRecords: async () => undefined },
    }),
  );
  const admin = port.createAdmin();
  await admin.connect();
  try {
    for (const member of members) await member.start();
    const described = await waitFor('two members with partitions', async () => {
      const found = await admin.describeGroupMembers(groupId);
      return found.length === 2 && found.every((m) => m.partitions.length === 2) ? found : undefined;
    });
    expect(described.map((m) => m.advertisedAddress).sort()).toEqual(addresses);
    expect(described.flatMap((m) => m.partitions.map((tp) => tp.partition)).sort()).toEqual([0, 1, 2, 3]);
  } finally {
    await admin.close();
    await Promise.all(members.map((member) => member.stop()));
  }
});

test('partitionFor names the partition the producer writes a key to', async () => {
  const topic = uniqueName('partitioner');
  await createTopic(port, topic, 7);
  const keys = Array.from({ length: 20 }, (_, i) => `host/schedule-${i}`);
  const producer = port.createProducer();
  await producer.connect();
  await producer.send(keys.map((key) => ({ topic, key, value: key })));
  await producer.close();
  const records = await readCommitted(port, topic, keys.length);
  for (const record of records) expect(record.partition).toBe(port.partitionFor(record.key?.toString() ?? '', 7));
  expect(new Set(records.map((r) => r.partition)).size).toBeGreaterThan(1);
});
