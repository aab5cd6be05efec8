/**
 * PartitionTask's commit loop with a manual clock and an in-memory fake of the Kafka port (a pure
 * unit test: what Kafka itself does is proven in test/ against the real broker).
 */
import { ManualClock } from '../domain/clock';
import type { Admin, IncomingRecord, KafkaPort, OffsetCommit, OutgoingRecord, Transaction, TransactionalProducer } from '../kafka/port';
import { silentLogger } from '../log/logger';
import { PartitionTask } from './partition-task';
import { TargetTopics } from './target-topics';

interface CommittedTransaction {
  records: OutgoingRecord[];
  offsets: OffsetCommit[];
}

class FakeTransactionalProducer implements TransactionalProducer {
  constructor(
    readonly transactionalId: string,
    private readonly committed: CommittedTransaction[],
  ) {}
  async connect(): Promise<void> {}
  async close(): Promise<void> {}
  async beginTransaction(): Promise<Transaction> {
    const pending: CommittedTransaction = { records: [], offsets: [] };
    return {
      send: async (records) => {
        pending.records.push(...records);
        return [];
      },
      sendOffsets: async (_groupId, offsets) => void pending.offsets.push(...offsets),
      commit: async () => void this.committed.push(pending),
      abort: async () => undefined,
    };
  }
}

const START = Date.UTC(2026, 0, 1);
const INPUT = { topic: 'defs', partition: 0 };

function setup(): { task: PartitionTask; clock: ManualClock; committed: CommittedTransaction[] } {
  const clock = new ManualClock(START);
  const committed: CommittedTransaction[] = [];
  const port = {
    createTransactionalProducer: (id: string) => new FakeTransactionalProducer(id, committed),
  } as unknown as KafkaPort;
  const admin = { describeTopics: async (topics: string[]) => topics.map((topic) => ({ topic, partitions: 1 })) } as unknown as Admin;
  const task = new PartitionTask({
    input: INPUT,
    groupId: 'g',
    dlqTopic: 'dlq',
    commitIntervalMs: 100,
    maxDefinitionBytes: 10_000,
    port,
    targetTopics: new TargetTopics(admin),
    clock,
    logger: silentLogger,
  });
  return { task, clock, committed };
}

function record(offset: number, key: string, value: unknown): IncomingRecord {
  return {
    ...INPUT,
    offset,
    timestamp: START,
    key: Buffer.from(key),
    value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: {},
  };
}

function at(name: string, dueInMs: number): unknown {
  return { host: 'h', name, action: 'INSERT', at: new Date(START + dueInMs).toISOString(), topic: 'out' };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

test('a fire is committed when the clock reaches its due time, with the input offset behind it', async () => {
  const { task, clock, committed } = setup();
  await task.start();
  await task.ingest([record(0, 'h/a', at('a', 1_000))]);
  await settle();
  expect(committed).toEqual([]);

  clock.advance(999);
  await settle();
  expect(committed).toEqual([]);

  clock.advance(1);
  await settle();
  expect(committed).toHaveLength(1);
  expect(committed[0]?.records.map((r) => r.headers?.['punctual-fire-id'])).toEqual([`h/a@${START + 1_000}`]);
  expect(committed[0]?.offsets).toEqual([{ ...INPUT, offset: 1 }]);
  expect(task.pendingFires).toBe(0);
});

test('offsets never pass a pending fire; a DELETE lets them move on after one commit interval', async () => {
  const { task, clock, committed } = setup();
  await task.start();
  await task.ingest([record(0, 'h/later', at('later', 60_000)), record(1, 'h/now', at('now', 0))]);
  await settle();
  expect(committed).toHaveLength(1);
  expect(committed[0]?.records.map((r) => r.key)).toEqual(['h/now']);
  // 'later' (offset 0) is still pending, so the input position stays where the consumer started.
  expect(committed[0]?.offsets).toEqual([]);

  await task.ingest([record(2, 'h/later', null)]);
  await settle();
  expect(committed).toHaveLength(1);
  clock.advance(100);
  await settle();
  expect(committed).toHaveLength(2);
  expect(committed[1]).toEqual({ records: [], offsets: [{ ...INPUT, offset: 3 }] });

  clock.advance(60_000);
  await settle();
  expect(committed).toHaveLength(2);
});

test('an invalid definition is dead-lettered at once and records re-read after a rebalance are skipped', async () => {
  const { task, committed } = setup();
  await task.start();
  await task.ingest([record(0, 'h/bad', '{')]);
  await settle();
  expect(committed).toHaveLength(1);
  expect(committed[0]?.records[0]?.topic).toBe('dlq');
  expect(committed[0]?.records[0]?.headers?.['punctual-dlq-reason']).toMatch(/^\(body\): is not JSON/);

  await task.ingest([record(0, 'h/bad', '{')]);
  await settle();
  expect(committed).toHaveLength(1);
});
