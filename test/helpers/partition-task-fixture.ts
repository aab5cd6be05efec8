/**
 * The harness of PartitionTask's unit tests: a manual clock, memory-level as the database and an
 * in-memory fake of the Kafka port (pure unit tests: what Kafka itself does is proven in test/
 * against the real broker).
 */
import { MemoryLevel } from 'memory-level';
import { ManualClock } from '../../src/domain/clock';
import type { Admin, GroupGeneration, IncomingRecord, KafkaPort, OffsetCommit, OutgoingRecord, PartitionReadOptions, RecordMetadata, Transaction, TransactionalProducer } from '../../src/kafka/port';
import { TransactionFailedError } from '../../src/kafka/errors';
import { silentLogger } from '../../src/log/logger';
import type { LevelDatabase } from '../../src/store/schedule-store';
import { NodeTransactions } from '../../src/cluster/node-transactions';
import { PartitionTask } from '../../src/cluster/partition-task';
import { TargetTopics } from '../../src/cluster/target-topics';

export interface CommittedTransaction {
  records: OutgoingRecord[];
  offsets: OffsetCommit[];
}

/**
 * How the next commit goes wrong: it commits and its answer is lost, it fails and the transaction
 * aborts, or the coordinator refuses its epoch (a new owner, or a timeout of the transaction) and it aborts.
 */
export type CommitFailure = 'committed' | 'aborted' | 'epoch-refused';

export interface LoggedRecord {
  offset: number;
  record: OutgoingRecord;
  transaction: CommittedTransaction;
}

/**
 * A log per topic-partition: offsets grow with every record sent, committed or not, as on a broker;
 * readPartition serves the records of committed transactions only (read_committed). Offsets sent
 * under a generation other than the group's are refused, as TxnOffsetCommit v3 does.
 */
export class FakeKafka {
  readonly committed: CommittedTransaction[] = [];
  failNextCommit: CommitFailure | undefined;
  /** The group's generation now. */
  groupGeneration = 1;
  /** How often a producer registered the transactional.id (InitProducerId). */
  registrations = 0;
  private readonly logs = new Map<string, LoggedRecord[]>();
  private readonly ends = new Map<string, number>();

  send(records: OutgoingRecord[], transaction: CommittedTransaction): RecordMetadata[] {
    const metadata = new Map<string, RecordMetadata>();
    for (const record of records) {
      const key = `${record.topic}-${record.partition ?? 0}`;
      const offset = this.ends.get(key) ?? 0;
      this.ends.set(key, offset + 1);
      this.logs.set(key, [...(this.logs.get(key) ?? []), { offset, record, transaction }]);
      if (!metadata.has(key)) metadata.set(key, { topic: record.topic, partition: record.partition ?? 0, offset });
    }
    return [...metadata.values()];
  }

  async readPartition({ topic, partition, fromOffset, untilOffset, onRecords }: PartitionReadOptions): Promise<void> {
    const visible = (this.logs.get(`${topic}-${partition}`) ?? []).filter(
      ({ offset, transaction }) => offset >= fromOffset && offset < untilOffset && this.committed.includes(transaction),
    );
    const records = visible.map(({ offset, record }): IncomingRecord => ({
      topic,
      partition,
      offset,
      timestamp: START,
      key: record.key === null ? null : Buffer.from(record.key),
      value: record.value === null ? null : Buffer.from(record.value),
      headers: record.headers ?? {},
    }));
    if (records.length > 0) await onRecords(records);
  }

  private commit(transaction: CommittedTransaction): void {
    const failure = this.failNextCommit;
    this.failNextCommit = undefined;
    if (failure === undefined || failure === 'committed') this.committed.push(transaction);
    if (failure === 'epoch-refused') throw new TransactionFailedError('transaction commit failed: INVALID_PRODUCER_EPOCH', true);
    if (failure) throw new Error(`commit failed (${failure})`);
  }

  /** The input offset the last committed transaction committed (the stable read of a new owner). */
  committedOffset(): number | undefined {
    return this.committed.flatMap((t) => t.offsets).filter((offset) => offset.topic === INPUT.topic).at(-1)?.offset;
  }

  private sendOffsets(pending: CommittedTransaction, offsets: OffsetCommit[], generation: GroupGeneration | undefined): void {
    if (generation?.generationId !== this.groupGeneration) {
      throw new TransactionFailedError(`transaction sendOffsets failed: generation ${generation?.generationId} (ILLEGAL_GENERATION)`, false, { staleGeneration: true });
    }
    pending.offsets.push(...offsets);
  }

  producer(transactionalId: string): TransactionalProducer {
    return {
      transactionalId,
      connect: async () => void this.registrations++,
      close: async () => undefined,
      beginTransaction: async (): Promise<Transaction> => {
        const pending: CommittedTransaction = { records: [], offsets: [] };
        return {
          send: async (records) => {
            pending.records.push(...records);
            return this.send(records, pending);
          },
          sendOffsets: async (_groupId, offsets, generation) => this.sendOffsets(pending, offsets, generation),
          commit: async () => this.commit(pending),
          abort: async () => undefined,
        };
      },
    };
  }
}

export const START = Date.UTC(2026, 0, 1);
/** An admin for which every topic exists. */
export const existingTopics = { describeTopics: async (topics: string[]) => topics.map((topic) => ({ topic, partitions: 1 })) } as unknown as Admin;
export const INPUT = { topic: 'defs', partition: 0 };

export interface Context {
  task: PartitionTask;
  clock: ManualClock;
  kafka: FakeKafka;
  transactions: NodeTransactions;
  /** The generation the node joined with (the group's may have moved on). */
  node: { generation: GroupGeneration };
  newTask: () => PartitionTask;
  db: () => MemoryLevel<string, string>;
}

export function setup(admin: Admin = existingTopics): Context {
  const clock = new ManualClock(START);
  const kafka = new FakeKafka();
  const node = { generation: { generationId: 1, memberId: 'm' } };
  const port = { readPartition: (options: PartitionReadOptions) => kafka.readPartition(options) } as unknown as KafkaPort;
  const transactions = new NodeTransactions({
    groupId: 'g',
    transactionalId: 'g-node-test',
    createProducer: (id) => kafka.producer(id),
    generation: () => node.generation,
    minIntervalMs: 0,
    clock,
    logger: silentLogger,
  });
  let db = new MemoryLevel<string, string>();
  const newTask = (): PartitionTask => new PartitionTask({
    input: INPUT,
    statusTopic: 'status',
    history: { limit: 3, retentionMs: 7 * 86_400_000 },
    changelogTopic: 'changelog',
    dlqTopic: 'dlq',
    commitIntervalMs: 100,
    misfireThresholdMs: 5_000,
    maxDefinitionBytes: 10_000,
    dataDir: '/nonexistent',
    port,
    targetTopics: new TargetTopics(admin),
    clock,
    logger: silentLogger,
    openDatabase: () => (db = new MemoryLevel<string, string>()) as LevelDatabase,
    transactions,
    committedInputOffset: async () => kafka.committedOffset(),
  });
  return { task: newTask(), clock, kafka, transactions, node, newTask, db: () => db };
}

export function record(offset: number, key: string, value: unknown): IncomingRecord {
  return {
    ...INPUT,
    offset,
    timestamp: START,
    key: Buffer.from(key),
    value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: {},
  };
}

export function definition(name: string, timing: Record<string, unknown>): unknown {
  return { host: 'h', name, action: 'INSERT', topic: 'out', ...timing };
}

export function at(name: string, dueInMs: number): unknown {
  return definition(name, { at: new Date(START + dueInMs).toISOString() });
}

export async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise((resolve) => setImmediate(resolve));
}

export async function started(admin?: Admin): Promise<Context> {
  const context = setup(admin);
  await context.task.start();
  await settle();
  // The restore barrier is the only thing committed so far.
  expect(context.kafka.committed.map((t) => t.records.map((r) => r.key))).toEqual([['__punctual_restore_barrier__']]);
  context.kafka.committed.length = 0;
  return context;
}

export function fireIds(transaction: CommittedTransaction | undefined): string[] {
  return (transaction?.records ?? []).filter((r) => r.topic === 'out').map((r) => r.headers?.['punctual-fire-id'] ?? '');
}
/** A rebuild that fails waits REBUILD_BACKOFF_MS (500 ms) on the task's clock before the next. */
export async function afterRetryBackoff(clock: ManualClock): Promise<void> {
  await settle();
  clock.advance(500);
  await settle();
}
