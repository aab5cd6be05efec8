/**
 * Finding and ending a transaction a producer left open on a partition, against the real broker:
 * what a node does when the previous owner of a partition died or froze mid-transaction.
 */
import { TransactionFailedError } from '../../src/kafka/errors';
import type { KafkaPort } from '../../src/kafka/port';
import { createTopic, readCommittedUntil, testPort, uniqueName, valueOf } from '../helpers/kafka';

jest.setTimeout(60_000);

let port: KafkaPort;

beforeAll(() => {
  port = testPort();
});

test('a transaction left open is listed by its transactional.id; registering that id again aborts it, and the offsets it held are stable again', async () => {
  const changelog = uniqueName('open-changelog');
  const input = uniqueName('open-in');
  const groupId = uniqueName('open-group');
  await createTopic(port, changelog, 2);
  await createTopic(port, input);
  const admin = port.createAdmin();
  await admin.connect();
  const zombieId = uniqueName('zombie');
  const zombie = port.createTransactionalProducer(zombieId);
  await zombie.connect();
  try {
    expect(await admin.openTransactions({ topic: changelog, partition: 0 })).toEqual([]);
    const left = await zombie.beginTransaction();
    await left.send([{ topic: changelog, key: 'k', value: 'left open', partition: 0 }]);
    await left.sendOffsets(groupId, [{ topic: input, partition: 0, offset: 0 }]);

    expect(await admin.openTransactions({ topic: changelog, partition: 0 })).toEqual([zombieId]);
    // The other partition has no open transaction.
    expect(await admin.openTransactions({ topic: changelog, partition: 1 })).toEqual([]);
    await expect(admin.fetchStableOffsets(groupId, [{ topic: input, partition: 0 }], 500)).rejects.toThrow(/unstable/);

    const fence = port.createTransactionalProducer(zombieId);
    await fence.connect();
    await fence.close();
    expect(await admin.openTransactions({ topic: changelog, partition: 0 })).toEqual([]);
    expect(await admin.fetchStableOffsets(groupId, [{ topic: input, partition: 0 }], 5_000)).toEqual([{ topic: input, partition: 0, offset: -1 }]);
    const commit = await left.commit().then(() => undefined, (error: unknown) => error);
    expect(commit).toBeInstanceOf(TransactionFailedError);
    expect((commit as TransactionFailedError).fenced).toBe(true);
  } finally {
    await zombie.close().catch(() => undefined);
    await admin.close();
  }
  // Nothing of the aborted transaction is visible.
  const writer = port.createProducer();
  await writer.connect();
  await writer.send([{ topic: changelog, key: 'k', value: 'after', partition: 0 }]);
  await writer.close();
  const seen = await readCommittedUntil(port, changelog, (records) => records.some((r) => valueOf(r) === 'after'));
  expect(seen.map(valueOf)).toEqual(['after']);
});

test('a transaction that committed offsets but wrote no record yet is found by its age, under its id prefix only', async () => {
  const input = uniqueName('old-in');
  const groupId = uniqueName('old-group');
  await createTopic(port, input);
  const prefix = uniqueName('old-node');
  const admin = port.createAdmin();
  await admin.connect();
  const stale = port.createTransactionalProducer(`${prefix}-stale`);
  const young = port.createTransactionalProducer(`${prefix}-young`);
  const other = port.createTransactionalProducer(uniqueName('other-app'));
  await Promise.all([stale.connect(), young.connect(), other.connect()]);
  try {
    const staleTransaction = await stale.beginTransaction();
    await staleTransaction.sendOffsets(groupId, [{ topic: input, partition: 0, offset: 0 }]);
    const otherTransaction = await other.beginTransaction();
    await otherTransaction.sendOffsets(groupId, [{ topic: input, partition: 0, offset: 0 }]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const youngTransaction = await young.beginTransaction();
    await youngTransaction.sendOffsets(uniqueName('young-group'), [{ topic: input, partition: 0, offset: 0 }]);
    expect(await admin.transactionsOpenLongerThan(prefix, 1_000)).toEqual([`${prefix}-stale`]);
    await Promise.all([staleTransaction.abort(), otherTransaction.abort(), youngTransaction.abort()]);
    expect(await admin.transactionsOpenLongerThan(prefix, 1_000)).toEqual([]);
  } finally {
    await Promise.all([stale.close(), young.close(), other.close()]);
    await admin.close();
  }
});
