/**
 * KIP-447 through the Kafka port, against the real broker: transaction offsets carry the group
 * generation (TxnOffsetCommit v3) and are refused once the group moved on; committed offsets read
 * with require_stable (OffsetFetch v7) wait while a transaction holds them.
 */
import { KafkaUnavailableError, TransactionFailedError } from '../../src/kafka/errors';
import type { GroupGeneration, KafkaPort } from '../../src/kafka/port';
import { waitFor } from '../../src/util/wait-for';
import { createTopic, groupMembers, readCommittedUntil, testPort, uniqueName, valueOf } from '../helpers/kafka';

jest.setTimeout(60_000);

let port: KafkaPort;

beforeAll(() => {
  port = testPort();
});

/** Offsets committed past a partition's end are reset by kafkajs (to -2, "earliest"), so the input has records to commit offsets for. */
async function fillInput(topic: string, count: number): Promise<void> {
  const producer = port.createProducer();
  await producer.connect();
  await producer.send(Array.from({ length: count }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}`, partition: 0 })));
  await producer.close();
}

async function committedOffset(groupId: string, topic: string, partition: number): Promise<number | undefined> {
  const admin = port.createAdmin();
  await admin.connect();
  try {
    return (await admin.fetchStableOffsets(groupId, [{ topic, partition }], 10_000))[0]?.offset;
  } finally {
    await admin.close();
  }
}

/** Writes `value` to `topic` and commits `offset` for the input under `generation`; the error if it failed. */
async function commitUnder(transactionalId: string, groupId: string, input: string, offset: number, topic: string, value: string, generation: GroupGeneration): Promise<unknown> {
  const producer = port.createTransactionalProducer(transactionalId);
  await producer.connect();
  try {
    const transaction = await producer.beginTransaction();
    await transaction.send([{ topic, key: 'k', value }]);
    try {
      await transaction.sendOffsets(groupId, [{ topic: input, partition: 0, offset }], generation);
      await transaction.commit();
      return undefined;
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      return error;
    }
  } finally {
    await producer.close();
  }
}

test('offsets committed under the current generation commit; under a generation the group moved past they are refused and the transaction commits nothing', async () => {
  const input = uniqueName('gen-in');
  const output = uniqueName('gen-out');
  const groupId = uniqueName('gen-group');
  await createTopic(port, input, 2);
  await createTopic(port, output);
  await fillInput(input, 10);
  const {
    members: [first, second],
    owned,
  } = groupMembers(port, groupId, input, 2);
  if (!first || !second) throw new Error('two members expected');
  try {
    await first.start();
    await waitFor('the first member to own both partitions', () => owned[0]?.length === 2);
    const before = first.generation();
    expect(before).toEqual({ generationId: expect.any(Number), memberId: expect.any(String) });
    if (!before) return;
    expect(await commitUnder(uniqueName('gen-tx'), groupId, input, 3, output, 'current', before)).toBeUndefined();
    expect(await committedOffset(groupId, input, 0)).toBe(3);

    await second.start();
    await waitFor('both members to own a partition', () => owned.every((o) => o.length === 1));
    const after = first.generation();
    expect(after?.memberId).toBe(before.memberId);
    expect(after?.generationId).toBeGreaterThan(before.generationId);

    const refused = await commitUnder(uniqueName('gen-tx'), groupId, input, 7, output, 'stale', before);
    expect(refused).toBeInstanceOf(TransactionFailedError);
    expect((refused as TransactionFailedError).staleGeneration).toBe(true);
    expect((refused as Error).message).toContain('ILLEGAL_GENERATION');
    expect(await committedOffset(groupId, input, 0)).toBe(3);
    // A member id the group does not know is refused too.
    const unknown = await commitUnder(uniqueName('gen-tx'), groupId, input, 7, output, 'unknown', { generationId: after?.generationId ?? 0, memberId: 'no-such-member' });
    expect((unknown as TransactionFailedError).staleGeneration).toBe(true);

    // The current generation commits again; the refused transactions' records never became visible.
    const current = first.generation();
    if (!current) throw new Error('the first member has no generation');
    expect(await commitUnder(uniqueName('gen-tx'), groupId, input, 5, output, 'current again', current)).toBeUndefined();
    expect(await committedOffset(groupId, input, 0)).toBe(5);
    const seen = await readCommittedUntil(port, output, (records) => records.some((r) => valueOf(r) === 'current again'));
    expect(seen.map(valueOf)).toEqual(['current', 'current again']);
  } finally {
    await Promise.all([first.stop(), second.stop()]);
  }
  expect(first.generation()).toBeUndefined();
});

test('a stable read of committed offsets waits while an open transaction holds them, and then answers what it committed', async () => {
  const input = uniqueName('stable-in');
  const output = uniqueName('stable-out');
  const groupId = uniqueName('stable-group');
  await createTopic(port, input, 2);
  await createTopic(port, output);
  const admin = port.createAdmin();
  await admin.connect();
  const producer = port.createTransactionalProducer(uniqueName('stable-tx'));
  await producer.connect();
  try {
    expect(await admin.fetchStableOffsets(groupId, [{ topic: input, partition: 0 }, { topic: input, partition: 1 }], 5_000)).toEqual([
      { topic: input, partition: 0, offset: -1 },
      { topic: input, partition: 1, offset: -1 },
    ]);
    const first = await producer.beginTransaction();
    await first.send([{ topic: output, key: 'k', value: 'first' }]);
    await first.sendOffsets(groupId, [{ topic: input, partition: 0, offset: 4 }]);
    await first.commit();

    const open = await producer.beginTransaction();
    await open.send([{ topic: output, key: 'k', value: 'second' }]);
    await open.sendOffsets(groupId, [{ topic: input, partition: 0, offset: 9 }]);
    // kafkajs' own read (no require_stable) answers the offset the open transaction is about to replace.
    expect((await admin.fetchCommittedOffsets(groupId, input)).find((o) => o.partition === 0)?.offset).toBe(4);
    const unstable = await admin.fetchStableOffsets(groupId, [{ topic: input, partition: 0 }], 600).then(() => undefined, (error: unknown) => error);
    expect(unstable).toBeInstanceOf(KafkaUnavailableError);
    expect((unstable as Error).message).toContain('unstable');
    // The other partition is not held by the transaction.
    expect(await admin.fetchStableOffsets(groupId, [{ topic: input, partition: 1 }], 600)).toEqual([{ topic: input, partition: 1, offset: -1 }]);

    const waiting = admin.fetchStableOffsets(groupId, [{ topic: input, partition: 0 }], 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await open.commit();
    expect(await waiting).toEqual([{ topic: input, partition: 0, offset: 9 }]);
  } finally {
    await producer.close();
    await admin.close();
  }
});
