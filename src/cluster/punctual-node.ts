/**
 * A Punctual node: one member of the consumer group on the definitions topic. Kafka assigns each
 * partition to exactly one member; the node runs a PartitionTask for each partition it owns and
 * closes it when the partition is revoked (master/master failover). All its tasks commit through one
 * transaction loop (node-transactions.ts), fenced by the group generation.
 */
import type { PunctualConfig } from '../config/config';
import type { CancelTimer, Clock } from '../domain/clock';
import type { ScheduleId } from '../domain/definition';
import { OffsetsUnstableError } from '../kafka/errors';
import type { Admin, GroupConsumer, IncomingRecord, KafkaPort, OffsetCommit, TopicPartition } from '../kafka/port';
import type { ScheduleState } from '../domain/schedule-state';
import type { OccurrenceOutcome } from '../domain/occurrence-outcome';
import type { Logger } from '../log/logger';
import { PunctualMetrics } from '../metrics/metrics';
import { AtLeastOnceProducer } from './at-least-once-producer';
import { NodeIdentity, nodeTransactionalId } from './node-identity';
import { NodeTransactions, type TransactionStep } from './node-transactions';
import { PartitionTask, type CalendarSource, type TaskStats } from './partition-task';
import { TargetTopics } from './target-topics';

/** Pause before a task that failed to start is tried again. */
const TASK_RESTART_DELAY_MS = 1_000;
/** How long a stable read of committed offsets waits for a previous owner's transaction before that owner is fenced. */
const HANDOVER_GRACE_MS = 1_000;
/** Beyond the transaction timeout, how long it then waits for the transaction to end. */
const STABLE_OFFSET_MARGIN_MS = 10_000;

export interface PunctualNodeOptions {
  config: PunctualConfig;
  port: KafkaPort;
  clock: Clock;
  logger: Logger;
  /** The exclusion calendars (the node's global table); none exist without it. */
  calendars?: CalendarSource;
  /** Test only: the fault suite's hook at each step of the node's transactions (src/dev/transaction-fault.ts). */
  onTransactionStep?: (step: TransactionStep, transaction: number) => void;
}

export class PunctualNode {
  private readonly tasks = new Map<number, PartitionTask>();
  private readonly logger: Logger;
  private readonly admin: Admin;
  private consumer: GroupConsumer | undefined;
  private transactions: NodeTransactions | undefined;
  private identity: NodeIdentity | undefined;
  private readonly targetTopics: TargetTopics;
  private joined = false;
  private stopped: Promise<void> | undefined;
  /** Pending restarts of tasks that failed to start, cancelled on stop. */
  private readonly restartTimers = new Set<CancelTimer>();
  private markReady: () => void = () => undefined;
  /** This node's Prometheus metrics; store gauges are read from the running tasks when scraped. */
  readonly metrics = new PunctualMetrics({ partitions: () => this.tasks });
  /** Resolves once the node joined the group and started a task for every partition it owns. */
  readonly ready: Promise<void> = new Promise((resolve) => (this.markReady = resolve));

  constructor(private readonly options: PunctualNodeOptions) {
    this.logger = options.logger.child({ component: 'node' });
    this.admin = options.port.createAdmin();
    this.targetTopics = new TargetTopics(this.admin);
  }

  /** Joins the group; `advertisedUrl` is how other nodes reach this one's HTTP API. */
  async start(advertisedUrl?: string): Promise<void> {
    if (this.options.config.delivery === 'at-least-once') {
      this.logger.warn('delivery is at-least-once (PUNCTUAL_DELIVERY), kept for benchmarks: no transactions, a crash or rebalance can fire twice');
    }
    const { config, port, clock } = this.options;
    this.identity = await NodeIdentity.open(config.nodeId, config.dataDir);
    await this.admin.connect();
    const transactionalId = nodeTransactionalId(config.groupId, this.identity.nodeId);
    this.logger.info('transactional id', { transactionalId });
    this.transactions = new NodeTransactions({
      groupId: config.groupId,
      transactionalId,
      createProducer: (id) => (config.delivery === 'at-least-once' ? this.atLeastOnceProducer(id) : port.createTransactionalProducer(id)),
      generation: () => this.consumer?.generation(),
      minIntervalMs: config.transactionIntervalMs,
      clock,
      logger: this.logger,
      metrics: this.metrics,
      ...(this.options.onTransactionStep ? { onStep: this.options.onTransactionStep } : {}),
    });
    await this.transactions.start();
    const consumer = port.createGroupConsumer({
      groupId: config.groupId,
      // Partition p of both: a task records the outcomes of its own schedules.
      topics: [config.topics.definitions, config.topics.status],
      coPartitioned: true,
      fromBeginning: true,
      sessionTimeoutMs: config.sessionTimeoutMs,
      heartbeatIntervalMs: Math.max(100, Math.floor(config.sessionTimeoutMs / 10)),
      ...(advertisedUrl ? { advertisedAddress: advertisedUrl } : {}),
      listener: {
        onAssigned: (partitions) => this.assign(partitions),
        onRevoked: (partitions) => this.revoke(partitions),
        onRecords: (batch) => this.deliver(batch.topic, batch.partition, batch.records),
        onRejoining: () => this.hold(),
        onMembershipConfirmed: async () => this.settle(),
      },
    });
    this.consumer = consumer;
    await consumer.start();
  }

  /** The definitions partition of a schedule id. */
  partitionOf(id: ScheduleId): number {
    return this.options.port.partitionFor(id, this.options.config.topics.partitions);
  }

  /**
   * A schedule's current state when this node owns its partition (what its task has applied,
   * committed or not); `owned: false` when another node must answer.
   */
  async lookup(id: ScheduleId): Promise<{ owned: true; state: ScheduleState | undefined } | { owned: false }> {
    const task = this.tasks.get(this.partitionOf(id));
    if (!task || !task.lifecycle.is('running')) return { owned: false };
    return { owned: true, state: await task.lookup(id) };
  }

  /** A schedule's recorded occurrence outcomes, latest first, when this node owns its partition. */
  async outcomes(id: ScheduleId, limit: number): Promise<{ owned: true; outcomes: OccurrenceOutcome[] } | { owned: false }> {
    const task = this.tasks.get(this.partitionOf(id));
    if (!task || !task.lifecycle.is('running')) return { owned: false };
    return { owned: true, outcomes: await task.outcomes(id, limit) };
  }

  /** True while joined with every owned partition's task running, none of them waiting for a target topic. */
  isReady(): boolean {
    return this.joined && [...this.tasks.values()].every((task) => task.lifecycle.is('running') && task.waitingForTargetTopic() === undefined);
  }

  /** Schedules of every running task that `accepts` takes, ids starting with `prefix` after `after`, in id order, at most `limit`. */
  async listLocal(prefix: string, after: string | undefined, limit: number, accepts?: (state: ScheduleState) => boolean): Promise<{ partitions: number[]; states: ScheduleState[] }> {
    const running = [...this.tasks].filter(([, task]) => task.lifecycle.is('running'));
    const lists = await Promise.all(running.map(([, task]) => task.list(prefix, after, limit, accepts)));
    const states = lists.flat().sort((a, b) => (a.definition.id < b.definition.id ? -1 : 1)).slice(0, limit);
    return { partitions: running.map(([partition]) => partition).sort((a, b) => a - b), states };
  }

  /** Calendars changed: every running task finds the next occurrence of its schedules that use them again. */
  async calendarsChanged(names: string[]): Promise<void> {
    const running = [...this.tasks.values()].filter((task) => task.lifecycle.is('running'));
    await Promise.all(running.map((task) => task.reevaluate(names).catch((error: unknown) => this.logger.error('finding next occurrences again failed', { error, partition: task.input.partition }))));
  }

  waitingForTargetTopics(): { partition: number; topic: string }[] {
    return [...this.tasks].flatMap(([partition, task]) => {
      const topic = task.waitingForTargetTopic();
      return topic === undefined ? [] : [{ partition, topic }];
    });
  }

  /** Counters and last restore of every running task, by partition. */
  taskStats(): Map<number, TaskStats> {
    return new Map([...this.tasks].map(([partition, task]) => [partition, { ...task.stats }]));
  }

  ownedPartitions(): number[] {
    return [...this.tasks.keys()].sort((a, b) => a - b);
  }

  /** Leaves the group after closing every task (each finishes its open transaction). Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      for (const cancel of this.restartTimers) cancel();
      this.restartTimers.clear();
      await this.consumer?.stop();
      await Promise.all([...this.tasks.values()].map((task) => task.close()));
      await this.transactions?.close();
      await this.admin.close();
      await this.identity?.close();
    })();
    return this.stopped;
  }

  /** After a rebalance: the new partitions' tasks start, and the transaction loop goes on. */
  private async assign(partitions: TopicPartition[]): Promise<void> {
    // A status partition comes with its definitions partition (coPartitioned): the task of that one reads it.
    const inputs = this.definitionsPartitions(partitions);
    // Restore barriers commit under the new generation even while the loop is held.
    await Promise.all(inputs.map((input) => this.startTask(input)));
    this.metrics.rebalanced(this.tasks.size);
    this.settle();
    this.logger.info('partitions assigned', { assigned: inputs.map((tp) => tp.partition), owned: this.ownedPartitions() });
    this.markReady();
  }

  /** The group confirmed the membership (a join, or a heartbeat ending a doubt): the partitions still here are this node's. */
  private settle(): void {
    this.transactions?.resume();
    this.joined = true;
  }

  /**
   * Starts the task of a newly owned partition. A start that fails (the broker did not answer during
   * the restore, or the group moved on and refused the barrier) is retried with a fresh task while
   * the partition is still this node's, so a partition is never left without a running task until
   * the next rebalance.
   */
  private async startTask(input: TopicPartition): Promise<void> {
    await this.tasks.get(input.partition)?.close();
    const task = this.newTask(input);
    this.tasks.set(input.partition, task);
    try {
      await task.start();
    } catch (error) {
      this.logger.error('partition task failed to start', { partition: input.partition, error });
      await task.close();
      this.restartLater(input, task);
    }
  }

  /** Starts a fresh task for `input` after a pause, unless the partition was revoked, or restarted, meanwhile. */
  private restartLater(input: TopicPartition, failed: PartitionTask): void {
    const stillCurrent = (): boolean => this.tasks.get(input.partition) === failed && this.stopped === undefined;
    if (!stillCurrent()) return;
    const cancel = this.options.clock.setTimer(TASK_RESTART_DELAY_MS, () => {
      this.restartTimers.delete(cancel);
      if (stillCurrent()) void this.startTask(input);
    });
    this.restartTimers.add(cancel);
  }

  /**
   * The partition's committed offset, read with require_stable. A transaction of the previous owner
   * that is still open holds it: a live owner ends its transactions before it gives a partition up,
   * so one still open after HANDOVER_GRACE_MS was left by a node that died or froze, and its
   * transactional.id is fenced (which aborts the transaction) rather than waiting for the
   * coordinator to time it out.
   */
  private async committedInputOffset(input: TopicPartition): Promise<number | undefined> {
    const { config } = this.options;
    const changelog = { topic: config.topics.changelog, partition: input.partition };
    // A transaction of another node open on the changelog partition now was left by a dead or frozen
    // owner: a live one settled its share of this partition before it gave the partition up. Ended
    // first, it cannot hold the restore (read_committed stops at it) even when it holds no offset.
    await this.fenceLeftOpen(changelog, { longOpen: false }).catch((error: unknown) => this.logger.warn('looking for transactions left open failed; the offsets read will tell', { error, partition: input.partition }));
    const read = (timeoutMs: number): Promise<OffsetCommit[]> => this.admin.fetchStableOffsets(config.groupId, [input], timeoutMs);
    let offsets: OffsetCommit[];
    try {
      offsets = await read(HANDOVER_GRACE_MS);
    } catch (error) {
      if (!(error instanceof OffsetsUnstableError)) throw error;
      await this.fenceLeftOpen(changelog, { longOpen: true });
      offsets = await read(config.kafka.transactionTimeoutMs + STABLE_OFFSET_MARGIN_MS);
    }
    const committed = offsets[0]?.offset;
    return committed !== undefined && committed >= 0 ? committed : undefined;
  }

  /**
   * Fences every other node's transactional.id with a transaction open on `changelog` (registering
   * the id aborts it), and with `longOpen` also those of the group's nodes open for longer than the
   * grace: one that committed the partition's offsets before its records landed shows only there.
   * A live node whose transaction is that slow loses it and rebuilds, which is safe.
   */
  private async fenceLeftOpen(changelog: TopicPartition, { longOpen }: { longOpen: boolean }): Promise<void> {
    const { config, port } = this.options;
    if (config.delivery === 'at-least-once') return;
    const open = new Set(await this.admin.openTransactions(changelog));
    if (longOpen) for (const id of await this.admin.transactionsOpenLongerThan(nodeTransactionalId(config.groupId, ''), HANDOVER_GRACE_MS)) open.add(id);
    open.delete(this.transactions?.transactionalId ?? '');
    for (const transactionalId of open) {
      this.logger.warn('fencing a transaction a previous owner left open', { transactionalId, partition: changelog.partition });
      const producer = port.createTransactionalProducer(transactionalId);
      try {
        await producer.connect();
      } finally {
        await producer.close().catch(() => undefined);
      }
    }
  }

  private newTask(input: TopicPartition): PartitionTask {
    const { config, port, clock } = this.options;
    if (!this.transactions) throw new Error('the node has not started');
    return new PartitionTask({
      input,
      statusTopic: config.topics.status,
      history: config.history,
      changelogTopic: config.topics.changelog,
      dlqTopic: config.topics.dlq,
      commitIntervalMs: config.commitIntervalMs,
      misfireThresholdMs: config.misfireThresholdMs,
      maxDefinitionBytes: config.maxDefinitionBytes,
      dataDir: config.dataDir,
      port,
      targetTopics: this.targetTopics,
      clock,
      logger: this.logger,
      metrics: this.metrics,
      transactions: this.transactions,
      committedInputOffset: () => this.committedInputOffset(input),
      ...(this.options.calendars ? { calendars: this.options.calendars } : {}),
    });
  }

  private atLeastOnceProducer(transactionalId: string): AtLeastOnceProducer {
    return new AtLeastOnceProducer(transactionalId, this.options.port.createProducer(), async (offsets) => {
      if (!this.consumer) throw new Error('no consumer to commit offsets with');
      await this.consumer.commitOffsets(offsets);
    });
  }

  /** The membership is in doubt: no task begins a transaction until the next assignment says what is still ours. */
  private hold(): void {
    this.transactions?.hold();
    this.logger.warn('partitions held until the group membership is confirmed', { owned: this.ownedPartitions() });
  }

  private async revoke(partitions: TopicPartition[]): Promise<void> {
    const inputs = this.definitionsPartitions(partitions);
    await Promise.all(
      inputs.map(async ({ partition }) => {
        const task = this.tasks.get(partition);
        this.tasks.delete(partition);
        await task?.close();
      }),
    );
    this.metrics.ownedPartitions(this.tasks.size);
    this.logger.info('partitions revoked', { revoked: inputs.map((tp) => tp.partition), owned: this.ownedPartitions() });
  }

  private definitionsPartitions(partitions: TopicPartition[]): TopicPartition[] {
    return partitions.filter((tp) => tp.topic === this.options.config.topics.definitions);
  }

  private async deliver(topic: string, partition: number, records: IncomingRecord[]): Promise<void> {
    const task = this.tasks.get(partition);
    if (!task || !task.lifecycle.is('running')) {
      // Without a running task nothing may be applied; the records stay uncommitted for the next owner.
      throw new Error(`no running task for partition ${partition} (records of ${topic})`);
    }
    if (topic === this.options.config.topics.status) await task.ingestStatus(records);
    else await task.ingest(records);
  }
}
