/**
 * Everything about one owned partition of the definitions topic: its transactional producer (whose
 * transactional.id is derived from group, topic and partition, so a new owner fences the old one),
 * its pending one-shot fires, and its commit loop.
 *
 * Commit loop: one transaction at a time carries the due execution events, dead letters, and the
 * input offset up to which every definition is either fired or still held here. Fires and dead
 * letters commit at once; a transaction carrying only offsets waits up to the commit interval.
 *
 * This first slice keeps pending fires in memory. The committed input offset never passes the
 * definition of a fire that is still pending, so a new owner re-reads it. What it cannot yet do
 * (the state store and changelog do, in the engine issue): know after a restart that a one-shot read
 * behind a still-pending one has already fired.
 */
import type { Clock, CancelTimer } from '../domain/clock';
import { executionEvent } from '../domain/execution-event';
import { oneShotDueAt } from '../domain/one-shot';
import { deadLetter } from '../ingest/dead-letter';
import { decodeDefinition } from '../ingest/decode-definition';
import { DueQueue, type PendingFire } from '../firing/due-queue';
import { TransactionFailedError } from '../kafka/errors';
import type { IncomingRecord, KafkaPort, OutgoingRecord, TopicPartition, TransactionalProducer } from '../kafka/port';
import type { Logger } from '../log/logger';
import { TaskLifecycle } from './task-state';
import type { TargetTopics } from './target-topics';

export interface PartitionTaskOptions {
  input: TopicPartition;
  groupId: string;
  dlqTopic: string;
  commitIntervalMs: number;
  maxDefinitionBytes: number;
  port: KafkaPort;
  targetTopics: TargetTopics;
  clock: Clock;
  logger: Logger;
}

/** Fires per transaction; more due fires go into the next one straight away. */
const MAX_FIRES_PER_TRANSACTION = 2_000;
const RETRY_BACKOFF_MS = 500;

export function transactionalIdFor(groupId: string, input: TopicPartition): string {
  return `${groupId}-${input.topic}-${input.partition}`;
}

export class PartitionTask {
  readonly lifecycle: TaskLifecycle;
  private readonly queue = new DueQueue();
  private readonly logger: Logger;
  private producer: TransactionalProducer;
  private deadLetters: OutgoingRecord[] = [];
  /** Next input offset to read; undefined until the first record. */
  private nextOffset: number | undefined;
  private committedOffset: number | undefined;
  private flushing: Promise<void> | undefined;
  private flushRequested = false;
  private cancelWake: CancelTimer | undefined;
  private wakeAt: number | undefined;

  constructor(private readonly options: PartitionTaskOptions) {
    const name = `${options.input.topic}-${options.input.partition}`;
    this.lifecycle = new TaskLifecycle(name);
    this.logger = options.logger.child({ component: 'partition-task', partition: options.input.partition });
    this.producer = this.newProducer();
  }

  get pendingFires(): number {
    return this.queue.size;
  }

  /** Registers the transactional.id (fencing any previous owner), then starts firing. */
  async start(): Promise<void> {
    this.lifecycle.transition('starting');
    try {
      await this.producer.connect();
    } catch (error) {
      if (error instanceof TransactionFailedError && error.fenced) this.lifecycle.transition('fenced');
      throw error;
    }
    this.lifecycle.transition('running');
    this.logger.info('partition task running');
  }

  ingest(records: IncomingRecord[]): Promise<void> {
    return this.applyAll(records).then(() => this.afterChange());
  }

  /** Stops firing, lets an open transaction finish, and closes the producer. Idempotent. */
  async close(): Promise<void> {
    if (this.lifecycle.is('closing', 'closed')) return;
    this.lifecycle.transition('closing');
    this.disarmWake();
    await this.flushing;
    await this.producer.close().catch((error: unknown) => this.logger.warn('producer close failed', { error }));
    this.lifecycle.transition('closed');
    this.logger.info('partition task closed', { pendingFires: this.queue.size });
  }

  private async applyAll(records: IncomingRecord[]): Promise<void> {
    for (const record of records) {
      // After a rebalance the consumer re-reads from the committed offset; records already applied here are skipped.
      if (this.nextOffset !== undefined && record.offset < this.nextOffset) continue;
      // The consumer resumes at the committed offset, so the first record shows where that is.
      this.committedOffset ??= record.offset;
      await this.apply(record);
      this.nextOffset = record.offset + 1;
    }
  }

  private async apply(record: IncomingRecord): Promise<void> {
    const command = decodeDefinition(record, this.options.maxDefinitionBytes);
    if (command.kind === 'delete') {
      this.queue.remove(command.id);
      return;
    }
    if (command.kind === 'invalid') {
      this.rejectRecord(record, command.reason);
      return;
    }
    const { definition } = command;
    try {
      await this.options.targetTopics.ensure(definition.topic);
    } catch (error) {
      this.rejectRecord(record, `topic: cannot create target topic ${definition.topic}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const dueAt = oneShotDueAt(definition, record.timestamp);
    if (dueAt === undefined) {
      this.rejectRecord(record, `${definition.timing.kind}: not supported by this release yet`);
      return;
    }
    this.queue.put(definition, dueAt, record.offset);
  }

  private rejectRecord(record: IncomingRecord, reason: string): void {
    this.logger.warn('definition rejected', { offset: record.offset, reason });
    this.deadLetters.push(deadLetter(this.options.dlqTopic, record, reason));
  }

  private afterChange(): void {
    if (!this.lifecycle.is('running')) return;
    const now = this.options.clock.now();
    const nextDue = this.queue.nextDueAt();
    if (this.deadLetters.length > 0 || (nextDue !== undefined && nextDue <= now)) {
      this.requestFlush();
    } else if (this.watermark([]) !== this.committedOffset) {
      // Only offsets to commit: let them gather for one commit interval.
      this.armWake(now + this.options.commitIntervalMs);
    }
    if (nextDue !== undefined && nextDue > now) this.armWake(nextDue);
  }

  private armWake(at: number): void {
    if (this.wakeAt !== undefined && this.wakeAt <= at) return;
    this.disarmWake();
    this.wakeAt = at;
    this.cancelWake = this.options.clock.setTimer(at - this.options.clock.now(), () => {
      this.wakeAt = undefined;
      this.cancelWake = undefined;
      this.requestFlush();
    });
  }

  private disarmWake(): void {
    this.cancelWake?.();
    this.cancelWake = undefined;
    this.wakeAt = undefined;
  }

  private requestFlush(): void {
    if (!this.lifecycle.is('running')) return;
    if (this.flushing) {
      this.flushRequested = true;
      return;
    }
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
      this.afterChange();
    });
  }

  private async flushLoop(): Promise<void> {
    do {
      this.flushRequested = false;
      await this.commitOnce();
    } while (this.flushRequested && this.lifecycle.is('running'));
  }

  private async commitOnce(): Promise<void> {
    const now = this.options.clock.now();
    const due = this.queue.due(now, MAX_FIRES_PER_TRANSACTION);
    const deadLetters = this.deadLetters.splice(0);
    const offset = this.watermark(due);
    const offsetChanged = offset !== undefined && offset !== this.committedOffset;
    if (due.length === 0 && deadLetters.length === 0 && !offsetChanged) return;

    const events = due.map((fire) => this.eventRecord(fire, now));
    try {
      const transaction = await this.producer.beginTransaction();
      await transaction.send([...events, ...deadLetters]);
      if (offsetChanged) await transaction.sendOffsets(this.options.groupId, [{ ...this.options.input, offset }]);
      await transaction.commit();
    } catch (error) {
      this.deadLetters.unshift(...deadLetters);
      await this.recover(error);
      return;
    }
    for (const fire of due) this.queue.settle(fire);
    if (offsetChanged) this.committedOffset = offset;
    if (due.length === MAX_FIRES_PER_TRANSACTION) this.flushRequested = true;
    this.logger.debug('transaction committed', { fires: due.length, deadLetters: deadLetters.length, offset });
  }

  private eventRecord(fire: PendingFire, firedAt: number): OutgoingRecord {
    const event = executionEvent(fire.definition, { scheduledAt: fire.dueAt, occurrence: 1 }, firedAt);
    return { topic: fire.definition.topic, key: event.key, value: event.value, headers: event.headers };
  }

  /** Offset up to which every input record is settled: below the oldest fire still pending after `firing`. */
  private watermark(firing: PendingFire[]): number | undefined {
    const settling = new Set(firing);
    const lowest = this.queue.lowestSourceOffset((fire) => !settling.has(fire));
    return lowest ?? this.nextOffset;
  }

  /** A failed transaction's producer is never reused. A fenced task stops: its partition has a new owner. */
  private async recover(error: unknown): Promise<void> {
    const fenced = error instanceof TransactionFailedError && error.fenced;
    this.logger.warn('transaction failed', { error, fenced });
    await this.producer.close().catch((closeError: unknown) => this.logger.warn('producer close failed', { error: closeError }));
    if (fenced) {
      this.lifecycle.transition('fenced');
      return;
    }
    await new Promise((resolve) => this.options.clock.setTimer(RETRY_BACKOFF_MS, () => resolve(undefined)));
    if (!this.lifecycle.is('running')) return;
    this.producer = this.newProducer();
    try {
      await this.producer.connect();
      this.flushRequested = true;
    } catch (connectError) {
      await this.recover(connectError);
    }
  }

  private newProducer(): TransactionalProducer {
    return this.options.port.createTransactionalProducer(transactionalIdFor(this.options.groupId, this.options.input));
  }
}
