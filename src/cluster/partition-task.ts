/**
 * Everything about one owned partition of the definitions topic: its LevelDB store, its
 * transactional producer (transactional.id <group>-<topic>-<partition>, so a new owner fences the
 * old one), its changelog partition, its in-memory wake list and its commit loop.
 *
 * Start: register the producer (fencing), restore the store to the changelog's end, load the
 * occurrences due in the next seconds into memory, then run.
 *
 * Ingest applies definitions to an overlay of uncommitted states. The commit loop runs one
 * transaction at a time, holding the due execution events, dead letters, the changelog records of
 * every state changed since the last commit, and the input offset. Fires commit at once; ingest-only
 * work waits up to the commit interval. Only after Kafka commits are the states written to the store,
 * atomically with the checkpoint, so the store never holds what Kafka does not.
 *
 * A transaction that fails is never assumed to have failed: its commit may have reached the
 * coordinator. The task then rebuilds itself from the changelog as a new owner would, and applies
 * again the definitions records it read after the input position the changelog recorded.
 */
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import type { Clock, CancelTimer } from '../domain/clock';
import type { ScheduleId } from '../domain/definition';
import type { ScheduleState } from '../domain/schedule-state';
import { MEMORY_LEVEL, placeOccurrence } from '../domain/time-buckets';
import { MinHeap } from '../firing/min-heap';
import { upsertOutcome } from '../ingest/apply-definition';
import { deadLetter } from '../ingest/dead-letter';
import { decodeDefinition, type DefinitionCommand } from '../ingest/decode-definition';
import { TransactionFailedError } from '../kafka/errors';
import type { IncomingRecord, KafkaPort, TopicPartition, TransactionalProducer } from '../kafka/port';
import type { Logger } from '../log/logger';
import { noTaskMetrics, type TaskMetrics } from '../metrics/metrics';
import { changelogRecord, inputPositionRecord } from '../store/changelog-codec';
import { ScheduleStore, storeWriteOf, type DueEntry, type LevelDatabase } from '../store/schedule-store';
import { collectFires, type FireCollection } from './fire-collector';
import { PendingStates, type StateLookup } from './pending-states';
import { checkpointAt, restoreStore, type RestoreResult } from './restore';
import { TargetTopicWait } from './target-topic-wait';
import type { TargetTopics } from './target-topics';
import { TaskLifecycle } from './task-state';

export interface PartitionTaskOptions {
  input: TopicPartition;
  changelogTopic: string;
  groupId: string;
  dlqTopic: string;
  commitIntervalMs: number;
  misfireThresholdMs: number;
  maxDefinitionBytes: number;
  /** Parent folder; the task's store lives in <dataDir>/<topic>-<partition>. */
  dataDir: string;
  port: KafkaPort;
  targetTopics: TargetTopics;
  clock: Clock;
  logger: Logger;
  /** Opens the store's database; LevelDB (classic-level) unless a test passes another abstract-level. */
  openDatabase?: (directory: string) => LevelDatabase;
  metrics?: TaskMetrics;
  /**
   * Whether the node still owns this partition, asked when a transaction is refused as fenced:
   * INVALID_PRODUCER_EPOCH is also what a coordinator answers after it timed out an open
   * transaction, and then the task must go on. Without it, a fenced task stops.
   */
  confirmOwnership?: () => Promise<boolean>;
  /** Makes the task's producer; a transactional one by default (the at-least-once comparison mode passes its own). */
  createProducer?: (transactionalId: string) => TransactionalProducer;
}

export interface TaskStats {
  fired: number;
  missed: number;
  deadLettered: number;
  restore?: RestoreResult;
}

const RETRY_BACKOFF_MS = 500;
/** Uncommitted schedule changes after which ingest commits without waiting for the commit interval. */
const MAX_UNCOMMITTED_STATES = 5_000;

/** A definitions record decoded, with the reason its target topic was refused when it was. */
interface PreparedRecord {
  record: IncomingRecord;
  command: DefinitionCommand;
  topicRefused?: string;
}

export function transactionalIdFor(groupId: string, input: TopicPartition): string {
  return `${groupId}-${input.topic}-${input.partition}`;
}

export class PartitionTask {
  readonly lifecycle: TaskLifecycle;
  readonly stats: TaskStats = { fired: 0, missed: 0, deadLettered: 0 };
  private readonly logger: Logger;
  private readonly store: ScheduleStore;
  private readonly pending: PendingStates;
  private readonly changelog: TopicPartition;
  private readonly wakeList = new MinHeap<ScheduleId>();
  private readonly topicWait: TargetTopicWait;
  private readonly fires: FireCollection;
  private producer: TransactionalProducer;
  private exclusive: Promise<void> = Promise.resolve();
  private commitRunning = false;
  private commitAgain = false;
  /** Set while the group membership is in doubt: no transaction begins. */
  private held = false;
  private cancelWake: CancelTimer | undefined;
  private readonly metrics: TaskMetrics;

  /** The definitions partition this task owns. */
  get input(): TopicPartition {
    return this.options.input;
  }

  constructor(private readonly options: PartitionTaskOptions) {
    this.metrics = options.metrics ?? noTaskMetrics;
    const { input } = options;
    this.lifecycle = new TaskLifecycle(`${input.topic}-${input.partition}`);
    this.logger = options.logger.child({ component: 'partition-task', partition: input.partition });
    this.changelog = { topic: options.changelogTopic, partition: input.partition };
    const directory = path.join(options.dataDir, `${input.topic}-${input.partition}`);
    const open = options.openDatabase ?? ((dir: string) => new ClassicLevel<string, string>(dir) as LevelDatabase);
    this.store = new ScheduleStore(open(directory));
    this.pending = new PendingStates(this.store);
    this.topicWait = new TargetTopicWait({ targetTopics: options.targetTopics, clock: options.clock, logger: this.logger, metrics: this.metrics, partition: input.partition, task: this.lifecycle.task });
    this.fires = { wakeList: this.wakeList, statesOf: (ids) => this.pending.statesOf(ids), misfireThresholdMs: options.misfireThresholdMs, logger: this.logger };
    this.producer = this.newProducer();
  }

  /** Fences the previous owner, restores the store, then starts firing. */
  async start(): Promise<void> {
    this.lifecycle.transition('restoring');
    try {
      await this.producer.connect();
      await this.store.open();
      this.pending.restartAt(await this.restore());
    } catch (error) {
      if (error instanceof TransactionFailedError && error.fenced) this.lifecycle.transition('fenced');
      throw error;
    }
    await this.loadDue();
    this.lifecycle.transition('running');
    this.logger.info('partition task running', { schedules: this.store.scheduleCount() });
    this.requestCommit();
  }

  /**
   * Applies definitions records in offset order. Their target topics are made sure of first, outside
   * the commit loop, so fires go on while a topic the cluster cannot create right now is waited for.
   */
  async ingest(records: IncomingRecord[]): Promise<void> {
    const prepared = await this.prepare(records);
    await this.serially(() => this.applyPrepared(prepared));
    await this.rearm();
  }

  /** The target topic ingest is waiting for, if any: the task is not ready meanwhile. */
  waitingForTargetTopic(): string | undefined {
    return this.topicWait.waitingFor;
  }

  /**
   * Stops beginning transactions (an open one still finishes) until resume(): the node's group
   * membership is in doubt, so the partition may already belong to another node.
   */
  hold(): void {
    this.held = true;
    this.disarm();
  }

  resume(): void {
    if (!this.held) return;
    this.held = false;
    this.requestCommit();
  }

  /** A schedule's state as this task has applied it (committed or not yet). */
  lookup(id: ScheduleId): Promise<ScheduleState | undefined> {
    return this.pending.stateOf(id);
  }

  /** States as this task has applied them, in id order: see PendingStates.list. */
  list(prefix: string, after: string | undefined, limit: number, accepts?: (state: ScheduleState) => boolean): Promise<ScheduleState[]> {
    return this.pending.list(prefix, after, limit, accepts);
  }

  /** Committed schedules of this partition (the store's count, no scan). */
  scheduleCount(): number {
    return this.store.scheduleCount();
  }

  /** Due-index entries per bucket level, memory level last. */
  occupancy(): number[] {
    return this.store.occupancy();
  }

  /** Stops firing, lets an open transaction finish, closes store and producer. Idempotent. */
  async close(): Promise<void> {
    if (this.lifecycle.is('closing', 'closed')) return;
    this.lifecycle.transition('closing');
    this.disarm();
    this.topicWait.close();
    await this.exclusive;
    await this.producer.close().catch((error: unknown) => this.logger.warn('producer close failed', { error }));
    await this.store.close().catch((error: unknown) => this.logger.warn('store close failed', { error }));
    this.lifecycle.transition('closed');
    this.logger.info('partition task closed', { ...this.stats, restore: undefined });
  }

  /** Restores the store up to the changelog's end; returns the input position it recorded, where ingest goes on. */
  private async restore(): Promise<number | undefined> {
    this.stats.restore = await restoreStore({
      store: this.store,
      producer: this.producer,
      port: this.options.port,
      changelog: this.changelog,
      owner: transactionalIdFor(this.options.groupId, this.options.input),
      clock: this.options.clock,
      logger: this.logger,
    });
    const { wiped, durationMs, records, inputOffset } = this.stats.restore;
    this.metrics.restored(wiped ? 'full' : 'checkpoint', durationMs / 1000, records);
    return inputOffset;
  }

  /** Loads the occurrences due in the next seconds into the wake list. */
  private async loadDue(): Promise<void> {
    const now = this.options.clock.now();
    this.remember(await this.store.promote(now));
    this.remember(await this.store.memoryEntries());
  }

  /** Decodes the records and waits until every target topic they name exists or was refused for good. */
  private async prepare(records: IncomingRecord[]): Promise<PreparedRecord[]> {
    const prepared: PreparedRecord[] = records.map((record) => ({ record, command: decodeDefinition(record, this.options.maxDefinitionBytes) }));
    const refused = await this.topicWait.refusals(new Set(prepared.flatMap(({ command }) => (command.kind === 'upsert' ? [command.definition.topic] : []))));
    for (const entry of prepared) {
      const reason = entry.command.kind === 'upsert' ? refused.get(entry.command.definition.topic) : undefined;
      if (reason !== undefined) entry.topicRefused = reason;
    }
    return prepared;
  }

  private async applyPrepared(prepared: PreparedRecord[]): Promise<void> {
    // One store read for the whole batch instead of one per record.
    const known = await this.pending.statesOf(prepared.flatMap(({ record }) => (record.key ? [record.key.toString('utf8')] : [])));
    const applied = new Map<ScheduleId, ScheduleState | null>();
    // Later records of the batch see what earlier ones applied.
    const current: StateLookup = (id) => (applied.has(id) ? (applied.get(id) ?? undefined) : known(id));
    for (const entry of prepared) this.apply(entry, current, (id, state) => applied.set(id, state));
    if (!this.pending.hasUncommittedIngest()) return;
    const now = this.options.clock.now();
    // A large backlog commits at once: transactions stay small, and so does the overlay in memory.
    this.pending.ingestDeadline = this.pending.size >= MAX_UNCOMMITTED_STATES ? now : (this.pending.ingestDeadline ?? now + this.options.commitIntervalMs);
  }

  private apply({ record, command, topicRefused }: PreparedRecord, known: StateLookup, applied: (id: ScheduleId, state: ScheduleState | null) => void): void {
    if (!this.pending.admit(record)) return;
    const set = (id: ScheduleId, state: ScheduleState | null): void => {
      this.pending.set(id, state);
      applied(id, state);
    };
    if (command.kind === 'invalid') return this.reject(record, command.reason);
    if (command.kind === 'delete') {
      const exists = known(command.id) !== undefined;
      if (exists) set(command.id, null);
      this.metrics.ingested(exists ? 'deleted' : 'unchanged');
      return;
    }
    if (topicRefused !== undefined) return this.reject(record, topicRefused);
    const { definition } = command;
    const previous = known(definition.id);
    const outcome = upsertOutcome(previous, definition, record);
    this.metrics.ingested(outcome.kind === 'new-run' ? 'applied' : 'unchanged');
    if (outcome.kind === 'already-applied') return;
    const next = outcome.state;
    if (next.nextDueAt === null) {
      // No occurrence at all (an `at` outside start/end): nothing to keep.
      if (previous) set(definition.id, null);
      return;
    }
    set(definition.id, next);
    this.remember([{ id: definition.id, dueAt: next.nextDueAt }]);
  }

  private reject(record: IncomingRecord, reason: string): void {
    this.metrics.ingested('invalid');
    this.logger.warn('definition rejected', { offset: record.offset, reason });
    this.pending.deadLetter(deadLetter(this.options.dlqTopic, record, reason));
  }

  /** Puts entries whose occurrence is near into the in-memory wake list (far ones stay in the store's buckets). */
  private remember(entries: DueEntry[]): void {
    const now = this.options.clock.now();
    for (const { id, dueAt } of entries) {
      if (placeOccurrence(dueAt, now).level === MEMORY_LEVEL) this.wakeList.push(dueAt, id);
    }
  }

  private requestCommit(): void {
    if (!this.lifecycle.is('running') || this.held) return;
    if (this.commitRunning) {
      this.commitAgain = true;
      return;
    }
    this.commitRunning = true;
    void this.serially(async () => {
      do {
        this.commitAgain = false;
        await this.commitOnce();
      } while (this.commitAgain && this.lifecycle.is('running') && !this.held);
    })
      .catch((error: unknown) => this.logger.error('commit loop failed', { error }))
      .finally(() => {
        this.commitRunning = false;
        void this.rearm();
      });
  }

  private async commitOnce(): Promise<void> {
    const now = this.options.clock.now();
    this.remember(await this.store.promote(now));
    const fired = await collectFires(this.fires, now);
    const ingestDue = this.pending.ingestDeadline !== undefined && this.pending.ingestDeadline <= now;
    if (fired.changes.size === 0 && !ingestDue) return;

    const ingested = this.pending.takeForCommit();
    const changes = new Map([...ingested.changes, ...fired.changes]);
    const { deadLetters, offset } = ingested;
    const offsetChanged = offset !== undefined && offset !== this.pending.committedOffset;
    const changelog = [...changes].map(([id, state]) => changelogRecord(this.changelog.topic, this.changelog.partition, id, state));
    if (offsetChanged) changelog.push(inputPositionRecord(this.changelog.topic, this.changelog.partition, offset));
    let changelogOffset: number | undefined;
    const begun = this.options.clock.now();
    try {
      const transaction = await this.producer.beginTransaction();
      const metadata = await transaction.send([...fired.events, ...deadLetters, ...changelog]);
      if (offsetChanged) await transaction.sendOffsets(this.options.groupId, [{ ...this.options.input, offset }]);
      await transaction.commit();
      // This task is the changelog partition's only writer, so its records of one transaction are
      // contiguous: the store will hold everything up to the first offset after them.
      const first = metadata.find((m) => m.topic === this.changelog.topic && m.partition === this.changelog.partition)?.offset;
      changelogOffset = first === undefined ? undefined : first + changelog.length;
    } catch (error) {
      await this.recover(error);
      return;
    }
    const committedAt = this.options.clock.now();
    const partition = this.options.input.partition;
    this.metrics.committed((committedAt - begun) / 1000);
    this.metrics.fired(partition, fired.scheduledAts, committedAt);
    this.metrics.missed(partition, fired.missed);
    this.metrics.deadLettered(partition, deadLetters.length);
    const inputOffset = offsetChanged ? offset : this.pending.committedOffset;
    const checkpoint = changelogOffset === undefined ? undefined : checkpointAt(this.changelog, changelogOffset, inputOffset);
    // The store first, then the overlay is cleared: a read finds the states in one or the other.
    this.remember(await this.store.apply({ ...storeWriteOf(changes), ...(checkpoint ? { checkpoint } : {}) }, now));
    this.pending.committed(offsetChanged ? offset : undefined);
    this.stats.fired += fired.events.length;
    this.stats.missed += fired.missed;
    this.stats.deadLettered += deadLetters.length;
    if (fired.moreDue) this.commitAgain = true;
  }

  /** Arms one timer for the earliest of: a due occurrence, a bucket opening, the ingest deadline. */
  private async rearm(): Promise<void> {
    if (!this.lifecycle.is('running') || this.held) return;
    let nextOpen: number | undefined;
    try {
      nextOpen = await this.store.nextOpenTime();
    } catch (error) {
      // The task was closed while looking: nothing to arm.
      if (this.lifecycle.is('running')) this.logger.error('reading the due index failed', { error });
      return;
    }
    const candidates = [this.wakeList.peekKey(), this.pending.ingestDeadline, nextOpen].filter((t): t is number => t !== undefined);
    if (candidates.length === 0 || !this.lifecycle.is('running') || this.held) return;
    const at = Math.min(...candidates);
    this.disarm();
    this.cancelWake = this.options.clock.setTimer(at - this.options.clock.now(), () => {
      this.cancelWake = undefined;
      this.requestCommit();
    });
  }

  private disarm(): void {
    this.cancelWake?.();
    this.cancelWake = undefined;
  }

  /** Runs `step` after every earlier ingest or commit step of this task. */
  private serially(step: () => Promise<void>): Promise<void> {
    const run = this.exclusive.then(step);
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  /**
   * After a failed transaction nothing is assumed about its outcome: an EndTxn whose answer was lost
   * may have committed. Its producer is never reused. A fenced task stops: its partition has a new
   * owner (unless the node's membership is confirmed after the refusal: then the coordinator had
   * timed the transaction out). Otherwise a new producer registers the transactional.id, which makes
   * the coordinator complete or abort what the old one left, and the task rebuilds from the
   * changelog; until that succeeds it fires nothing.
   */
  private async recover(error: unknown): Promise<void> {
    for (let failure = error; ; ) {
      const refusedAsFenced = failure instanceof TransactionFailedError && failure.fenced;
      await this.producer.close().catch((closeError: unknown) => this.logger.warn('producer close failed', { error: closeError }));
      // Fenced, or timed out by the coordinator (which bumps the epoch too): only the group can tell.
      const stillOwned = refusedAsFenced && this.lifecycle.is('running') && ((await this.options.confirmOwnership?.()) ?? false);
      const fenced = refusedAsFenced && !stillOwned;
      this.metrics.transactionFailed(fenced);
      this.logger.warn('transaction failed', { error: failure, fenced, ...(stillOwned ? { epochRefusedWhileOwned: true } : {}) });
      if (fenced) {
        this.topicWait.close();
        // A task being closed (revoked) that learns it was fenced just finishes closing.
        if (this.lifecycle.is('running')) this.lifecycle.transition('fenced');
        return;
      }
      await new Promise((resolve) => this.options.clock.setTimer(RETRY_BACKOFF_MS, () => resolve(undefined)));
      if (!this.lifecycle.is('running')) return;
      this.producer = this.newProducer();
      try {
        await this.producer.connect();
        await this.rebuild();
        this.commitAgain = true;
        return;
      } catch (rebuildError) {
        failure = rebuildError;
      }
    }
  }

  /**
   * The task's state as a new owner would find it: the store restored up to a fresh barrier, the
   * wake list reloaded from it, and the definitions records read since the recorded input position
   * applied again. What the failed transaction held is in the changelog if it committed, and is
   * applied again if it did not.
   */
  private async rebuild(): Promise<void> {
    const position = await this.restore();
    const replay = this.pending.restartAt(position);
    this.wakeList.clear();
    try {
      await this.loadDue();
      if (replay.length > 0) await this.applyPrepared(await this.prepare(replay));
    } catch (error) {
      // The next attempt restores again and needs every record since the position.
      this.pending.keepForReplay(replay);
      throw error;
    }
    this.logger.info('partition task rebuilt from the changelog', { inputOffset: position, replayed: replay.length });
  }

  private newProducer(): TransactionalProducer {
    const transactionalId = transactionalIdFor(this.options.groupId, this.options.input);
    return this.options.createProducer?.(transactionalId) ?? this.options.port.createTransactionalProducer(transactionalId);
  }
}
