/**
 * NodeTransactions with a manual clock and fake producers and participants (a pure unit test: the
 * broker's side of KIP-447 is proven in test/kafka/generation-fencing.test.ts).
 */
import { ManualClock } from '../domain/clock';
import { TransactionFailedError } from '../kafka/errors';
import type { OffsetCommit, OutgoingRecord, RecordMetadata, TopicPartition, TransactionalProducer } from '../kafka/port';
import { silentLogger } from '../log/logger';
import { NodeTransactions, type TakenShare, type TransactionParticipant } from './node-transactions';

interface Committed {
  records: OutgoingRecord[];
  offsets: OffsetCommit[];
}

class FakeProducers {
  readonly committed: Committed[] = [];
  readonly registered: string[] = [];
  failNext: Error | undefined;
  /** While set, commits wait for it. */
  commitGate: Promise<void> | undefined;

  create(transactionalId: string): TransactionalProducer {
    return {
      transactionalId,
      connect: async () => void this.registered.push(transactionalId),
      close: async () => undefined,
      beginTransaction: async () => {
        const pending: Committed = { records: [], offsets: [] };
        return {
          send: async (records): Promise<RecordMetadata[]> => {
            pending.records.push(...records);
            return [];
          },
          sendOffsets: async (_group, offsets) => void pending.offsets.push(...offsets),
          commit: async () => {
            await this.commitGate;
            const failure = this.failNext;
            this.failNext = undefined;
            if (failure) throw failure;
            this.committed.push(pending);
          },
          abort: async () => undefined,
        };
      },
    };
  }
}

/** A participant whose due work is a list of record values; it counts what was settled. */
class FakeTask implements TransactionParticipant {
  due: string[] = [];
  committed = 0;
  failed: unknown[] = [];
  readonly input: TopicPartition;

  constructor(partition: number, private offset = 10 + partition) {
    this.input = { topic: 'defs', partition };
  }

  hasDueWork(): boolean {
    return this.due.length > 0;
  }

  async takeShare(): Promise<TakenShare | undefined> {
    if (this.due.length === 0) return undefined;
    const values = this.due.splice(0);
    return {
      input: this.input,
      records: values.map((value) => ({ topic: 'out', key: null, value })),
      inputOffset: this.offset,
      committed: async () => void this.committed++,
      failed: (error) => void this.failed.push(error),
    };
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

function setup(minIntervalMs = 0): { loop: NodeTransactions; producers: FakeProducers; clock: ManualClock } {
  const clock = new ManualClock(0);
  const producers = new FakeProducers();
  const loop = new NodeTransactions({
    groupId: 'g',
    transactionalId: 'g-node-1',
    createProducer: (id) => producers.create(id),
    generation: () => ({ generationId: 3, memberId: 'm' }),
    minIntervalMs,
    clock,
    logger: silentLogger,
  });
  return { loop, producers, clock };
}

test('one transaction carries the shares of every task with work, and commits every share\'s input offset', async () => {
  const { loop, producers } = setup();
  const tasks = [new FakeTask(0), new FakeTask(1), new FakeTask(2)];
  for (const task of tasks) loop.register(task);
  tasks[0]!.due = ['a'];
  tasks[2]!.due = ['c1', 'c2'];
  loop.request();
  await settle();
  expect(producers.committed).toHaveLength(1);
  expect(producers.committed[0]?.records.map((r) => r.value)).toEqual(['a', 'c1', 'c2']);
  expect(producers.committed[0]?.offsets).toEqual([
    { topic: 'defs', partition: 0, offset: 10 },
    { topic: 'defs', partition: 2, offset: 12 },
  ]);
  expect(tasks.map((task) => task.committed)).toEqual([1, 0, 1]);
});

test('under load, work that comes due while a transaction is young waits for the interval and shares the next one', async () => {
  const { loop, producers, clock } = setup(5);
  const task = new FakeTask(0);
  loop.register(task);
  task.due = ['1'];
  loop.request();
  await settle();
  task.due = ['2'];
  loop.request();
  await settle();
  task.due.push('3');
  loop.request();
  await settle();
  expect(producers.committed.map((t) => t.records.map((r) => r.value))).toEqual([['1']]);
  clock.advance(5);
  await settle();
  expect(producers.committed.map((t) => t.records.map((r) => r.value))).toEqual([['1'], ['2', '3']]);
});

test('work that falls due while a transaction runs goes into the next one without a request of its own', async () => {
  const { loop, producers } = setup();
  const task = new FakeTask(0);
  loop.register(task);
  let open = (): void => undefined;
  producers.commitGate = new Promise((resolve) => (open = resolve));
  task.due = ['1'];
  loop.request();
  await settle();
  // Due now, but its task's timer is armed again only once the task has stored the first share.
  task.due.push('2');
  producers.commitGate = undefined;
  open();
  await settle();
  expect(producers.committed.map((t) => t.records.map((r) => r.value))).toEqual([['1'], ['2']]);
});

test('a failed transaction fails every share in it, and a new producer registers before anything else runs', async () => {
  const { loop, producers } = setup();
  const tasks = [new FakeTask(0), new FakeTask(1)];
  for (const task of tasks) loop.register(task);
  for (const task of tasks) task.due = ['x'];
  producers.failNext = new TransactionFailedError('commit failed (INVALID_PRODUCER_EPOCH)', true);
  loop.request();
  await settle();
  expect(tasks.map((task) => task.failed.length)).toEqual([1, 1]);
  expect(producers.registered).toEqual(['g-node-1', 'g-node-1']);
  expect(producers.committed).toEqual([]);
});

test('a held loop commits barriers but no task share; resumed, it takes the shares', async () => {
  const { loop, producers } = setup();
  const task = new FakeTask(0);
  loop.register(task);
  loop.hold();
  task.due = ['held'];
  loop.request();
  const barrier = loop.barrier({ input: { topic: 'defs', partition: 1 }, records: [{ topic: 'changelog', key: 'barrier', value: '' }], inputOffset: 4 });
  await settle();
  await barrier;
  expect(producers.committed.map((t) => t.records.map((r) => r.key))).toEqual([['barrier']]);
  expect(producers.committed[0]?.offsets).toEqual([{ topic: 'defs', partition: 1, offset: 4 }]);
  loop.resume();
  await settle();
  expect(producers.committed.map((t) => t.records.map((r) => r.value))).toEqual([[''], ['held']]);
});

test('offsets are never committed without a generation: the transaction fails as a stale generation', async () => {
  const clock = new ManualClock(0);
  const producers = new FakeProducers();
  const loop = new NodeTransactions({ groupId: 'g', transactionalId: 't', createProducer: (id) => producers.create(id), generation: () => undefined, minIntervalMs: 0, clock, logger: silentLogger });
  const task = new FakeTask(0);
  loop.register(task);
  task.due = ['x'];
  loop.request();
  await settle();
  expect(producers.committed).toEqual([]);
  expect(task.failed[0]).toBeInstanceOf(TransactionFailedError);
  expect((task.failed[0] as TransactionFailedError).staleGeneration).toBe(true);
});

test('a barrier of a task that leaves before its transaction fails at once; close fails those still waiting', async () => {
  const { loop } = setup();
  const task = new FakeTask(0);
  loop.register(task);
  loop.hold();
  // A barrier queued behind a transaction that is still running: the loop is busy.
  let release = (): void => undefined;
  const blocking: TransactionParticipant = {
    input: { topic: 'defs', partition: 9 },
    hasDueWork: () => true,
    takeShare: () => new Promise<undefined>((resolve) => (release = () => resolve(undefined))),
  };
  loop.resume();
  loop.register(blocking);
  loop.request();
  await settle();
  const leaving = loop.barrier({ input: task.input, records: [], inputOffset: 1 });
  const staying = loop.barrier({ input: { topic: 'defs', partition: 5 }, records: [], inputOffset: 1 });
  loop.unregister(task);
  await expect(leaving).rejects.toThrow(/left the node/);
  const closing = loop.close();
  loop.unregister(blocking);
  release();
  await closing;
  await expect(staying).rejects.toThrow(/stopping/);
});
