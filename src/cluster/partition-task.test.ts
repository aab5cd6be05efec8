/**
 * PartitionTask's ingest and commit loop with a manual clock, memory-level as its database and an
 * in-memory fake of the Kafka port (a pure unit test: what Kafka itself does is proven in test/
 * against the real broker).
 */
import { MemoryLevel } from 'memory-level';
import { ManualClock } from '../domain/clock';
import type { Admin, IncomingRecord, KafkaPort, OffsetCommit, OutgoingRecord, PartitionReadOptions, RecordMetadata, Transaction, TransactionalProducer } from '../kafka/port';
import { silentLogger } from '../log/logger';
import type { LevelDatabase } from '../store/schedule-store';
import { PartitionTask } from './partition-task';
import { TargetTopics } from './target-topics';

interface CommittedTransaction {
  records: OutgoingRecord[];
  offsets: OffsetCommit[];
}

/** A log per topic-partition: offsets grow with every record sent, as on a broker. */
class FakeKafka {
  readonly committed: CommittedTransaction[] = [];
  private readonly ends = new Map<string, number>();

  send(records: OutgoingRecord[]): RecordMetadata[] {
    const metadata = new Map<string, RecordMetadata>();
    for (const record of records) {
      const key = `${record.topic}-${record.partition ?? 0}`;
      const offset = this.ends.get(key) ?? 0;
      this.ends.set(key, offset + 1);
      if (!metadata.has(key)) metadata.set(key, { topic: record.topic, partition: record.partition ?? 0, offset });
    }
    return [...metadata.values()];
  }

  producer(transactionalId: string): TransactionalProducer {
    return {
      transactionalId,
      connect: async () => undefined,
      close: async () => undefined,
      beginTransaction: async (): Promise<Transaction> => {
        const pending: CommittedTransaction = { records: [], offsets: [] };
        return {
          send: async (records) => {
            pending.records.push(...records);
            return this.send(records);
          },
          sendOffsets: async (_groupId, offsets) => void pending.offsets.push(...offsets),
          commit: async () => void this.committed.push(pending),
          abort: async () => undefined,
        };
      },
    };
  }
}

const START = Date.UTC(2026, 0, 1);
const INPUT = { topic: 'defs', partition: 0 };

function setup(): { task: PartitionTask; clock: ManualClock; kafka: FakeKafka } {
  const clock = new ManualClock(START);
  const kafka = new FakeKafka();
  const port = {
    createTransactionalProducer: (id: string) => kafka.producer(id),
    readPartition: async (_options: PartitionReadOptions) => undefined,
  } as unknown as KafkaPort;
  const admin = { describeTopics: async (topics: string[]) => topics.map((topic) => ({ topic, partitions: 1 })) } as unknown as Admin;
  const task = new PartitionTask({
    input: INPUT,
    changelogTopic: 'changelog',
    groupId: 'g',
    dlqTopic: 'dlq',
    commitIntervalMs: 100,
    misfireThresholdMs: 5_000,
    maxDefinitionBytes: 10_000,
    dataDir: '/nonexistent',
    port,
    targetTopics: new TargetTopics(admin),
    clock,
    logger: silentLogger,
    openDatabase: () => new MemoryLevel<string, string>() as LevelDatabase,
  });
  return { task, clock, kafka };
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

function definition(name: string, timing: Record<string, unknown>): unknown {
  return { host: 'h', name, action: 'INSERT', topic: 'out', ...timing };
}

function at(name: string, dueInMs: number): unknown {
  return definition(name, { at: new Date(START + dueInMs).toISOString() });
}

async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise((resolve) => setImmediate(resolve));
}

async function started(): Promise<ReturnType<typeof setup>> {
  const context = setup();
  await context.task.start();
  await settle();
  // The restore barrier is the only thing committed so far.
  expect(context.kafka.committed.map((t) => t.records.map((r) => r.key))).toEqual([['__punctual_restore_barrier__']]);
  context.kafka.committed.length = 0;
  return context;
}

function fireIds(transaction: CommittedTransaction | undefined): string[] {
  return (transaction?.records ?? []).filter((r) => r.topic === 'out').map((r) => r.headers?.['punctual-fire-id'] ?? '');
}

test('ingest commits changelog and offsets after one commit interval; the fire commits at its due time', async () => {
  const { task, clock, kafka } = await started();
  await task.ingest([record(0, 'h/a', at('a', 1_000))]);
  await settle();
  expect(kafka.committed).toEqual([]);

  clock.advance(100);
  await settle();
  expect(kafka.committed).toHaveLength(1);
  expect(kafka.committed[0]?.records.map((r) => [r.topic, r.key])).toEqual([['changelog', 'h/a']]);
  expect(kafka.committed[0]?.offsets).toEqual([{ ...INPUT, offset: 1 }]);

  clock.advance(899);
  await settle();
  expect(kafka.committed).toHaveLength(1);

  clock.advance(1);
  await settle();
  expect(kafka.committed).toHaveLength(2);
  expect(fireIds(kafka.committed[1])).toEqual([`h/a@${START + 1_000}`]);
  // The finished one-shot leaves a tombstone in the changelog and the store.
  expect(kafka.committed[1]?.records.find((r) => r.topic === 'changelog')).toMatchObject({ key: 'h/a', value: null });
  expect(task.scheduleCount()).toBe(0);
});

test('a frequency schedule fires every period, each occurrence in its own commit, numbered from 1', async () => {
  const { task, clock, kafka } = await started();
  await task.ingest([record(0, 'h/f', definition('f', { frequency: { timeUnit: 'SECONDS', time: 1 }, start: new Date(START + 1_000).toISOString() }))]);
  for (let i = 0; i < 3; i++) {
    clock.advance(1_000);
    await settle();
  }
  const events = kafka.committed.flatMap((t) => t.records.filter((r) => r.topic === 'out'));
  expect(events.map((e) => e.headers?.['punctual-occurrence'])).toEqual(['1', '2', '3']);
  expect(events.map((e) => Number(e.headers?.['punctual-scheduled-at']) - START)).toEqual([1_000, 2_000, 3_000]);
  expect(task.scheduleCount()).toBe(1);
});

test('a DELETE applied before the due time prevents the fire', async () => {
  const { task, clock, kafka } = await started();
  await task.ingest([record(0, 'h/a', at('a', 500)), record(1, 'h/a', null)]);
  clock.advance(1_000);
  await settle();
  expect(kafka.committed.flatMap(fireIds)).toEqual([]);
  expect(kafka.committed.at(-1)?.offsets).toEqual([{ ...INPUT, offset: 2 }]);
});

test('an invalid definition is dead-lettered with the next commit, and records re-read after a rebalance are skipped', async () => {
  const { task, clock, kafka } = await started();
  await task.ingest([record(0, 'h/bad', '{')]);
  clock.advance(100);
  await settle();
  expect(kafka.committed).toHaveLength(1);
  expect(kafka.committed[0]?.records[0]?.topic).toBe('dlq');
  expect(kafka.committed[0]?.records[0]?.headers?.['punctual-dlq-reason']).toMatch(/^\(body\): is not JSON/);

  await task.ingest([record(0, 'h/bad', '{')]);
  clock.advance(100);
  await settle();
  expect(kafka.committed).toHaveLength(1);
});

test('a schedule due in two days waits in the day bucket, not in memory, and still fires on time', async () => {
  const { task, clock, kafka } = await started();
  const twoDays = 2 * 86_400_000;
  await task.ingest([record(0, 'h/far', at('far', twoDays))]);
  clock.advance(100);
  await settle();
  expect(task.occupancy()).toEqual([1, 0, 0, 0, 0]);
  clock.advance(twoDays - 100);
  await settle();
  expect(kafka.committed.flatMap(fireIds)).toEqual([`h/far@${START + twoDays}`]);
});
