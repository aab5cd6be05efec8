/**
 * A consumer-group member over kafkajs.
 *
 * kafkajs has no assignment callbacks and rebalances eagerly, so this class derives them: after each
 * join it compares the new assignment with the previous one and reports what was revoked, then what
 * was assigned. Assignment callbacks go through one queue, so they never overlap, and records of a
 * partition are delivered only after its onAssigned resolved; records of different partitions are
 * delivered side by side. kafkajs never commits offsets here
 * (autoCommit off): the owner commits them inside its transactions.
 *
 * While the membership is in doubt the owner hears of it before the next join settles it: a
 * rebalance that began, or a whole session timeout without a successful heartbeat, calls
 * onRejoining; a crash of the kafkajs consumer revokes everything at once, since the restarted
 * consumer joins as a new member.
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '../../log/logger';
import type { GroupConsumer, GroupConsumerOptions, GroupGeneration, OffsetCommit, TopicPartition } from '../port';
import { forgetMember, joinedGeneration } from './generation-fencing';
import { adminFailed, unavailable } from './error-mapping';
import { toIncoming } from './records';
import { stickyAssigner, type Ownership } from './sticky-assigner';

type Assignment = Record<string, number[]>;

/** Batches of different partitions in hand at once (kafkajs keeps each partition's own in order). */
const PARTITIONS_CONSUMED_CONCURRENTLY = 16;

export class KafkajsGroupConsumer implements GroupConsumer {
  private readonly consumer: Consumer;
  /** What this member owns, and under which member id the group coordinator gave it. */
  private ownership: Ownership = { memberId: undefined, partitions: [] };
  private queue: Promise<void> = Promise.resolve();
  private stopping = false;
  private readonly heartbeatIntervalMs: number;
  private readonly sessionTimeoutMs: number;
  /** When the coordinator last confirmed the membership (a join or a heartbeat). */
  private lastContactAt = Date.now();
  private inDoubt = false;
  private sessionWatch: NodeJS.Timeout | undefined;
  /** The generation of the last assignment applied; undefined before it, and after a crash or stop. */
  private joined: GroupGeneration | undefined;

  constructor(
    kafka: Kafka,
    private readonly options: GroupConsumerOptions,
    private readonly logger: Logger,
  ) {
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3_000;
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 30_000;
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: this.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatIntervalMs,
      maxWaitTimeInMs: options.maxWaitMs ?? 1_000,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      partitionAssigners: [stickyAssigner(() => this.ownership, options.advertisedAddress, options.coPartitioned)],
      // kafkajs restarts a crashed consumer, even one that crashed while disconnecting (its broker
      // gone): the restart then retries connections forever and keeps the process alive.
      // retries: 5 is kafkajs' own consumer default, which a retry option would otherwise replace.
      retry: { retries: 5, restartOnFailure: async () => !this.stopping },
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      // A new generation: what this member owns is whatever the assignment now says. The owner holds
      // its work until the assignment is applied, and the generation is handed out only then, after
      // the partitions it no longer owns are revoked: a task of a partition given away in this
      // generation must never commit under it (it may still be starting, behind in the queue).
      const generation = joinedGeneration(event.payload.memberId);
      this.doubt('joined a new generation');
      this.confirmed('join');
      this.enqueue(() => this.applyAssignment(event.payload.memberId, event.payload.memberAssignment, generation));
    });
    this.consumer.on(this.consumer.events.HEARTBEAT, () => this.confirmed('heartbeat'));
    this.consumer.on(this.consumer.events.REBALANCING, () => this.doubt('rebalancing'));
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      this.logger.error('consumer crashed', { error: event.payload.error, restart: event.payload.restart });
      // The consumer has left the group; a restarted one joins as a new member and is assigned afresh.
      // Held at once: the revocation waits its turn behind assignment steps that may be under way.
      this.doubt('consumer crashed');
      this.leftGroup();
      this.enqueue(async () => {
        await this.revoke(this.owned);
        this.ownership = { memberId: undefined, partitions: [] };
      });
    });
  }

  async start(): Promise<void> {
    this.sessionWatch = setInterval(() => {
      if (Date.now() - this.lastContactAt > this.sessionTimeoutMs) this.doubt('no heartbeat within the session timeout');
    }, this.heartbeatIntervalMs).unref();
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning });
    } catch (error) {
      throw adminFailed('consumer start', error);
    }
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      // kafkajs hands over one batch at a time by default; each partition's owner works on its own.
      partitionsConsumedConcurrently: PARTITIONS_CONSUMED_CONCURRENTLY,
      eachBatch: (payload) => this.deliver(payload),
    });
  }

  /** Revokes every owned partition (so owners finish their work while still members), then leaves the group. */
  async stop(): Promise<void> {
    if (this.stopping) return this.queue;
    this.stopping = true;
    clearInterval(this.sessionWatch);
    await this.enqueue(() => this.revoke(this.owned));
    this.leftGroup();
    try {
      await this.consumer.disconnect();
    } catch (error) {
      throw unavailable('consumer stop', error);
    }
  }

  async commitOffsets(offsets: OffsetCommit[]): Promise<void> {
    try {
      await this.consumer.commitOffsets(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset: String(offset) })));
    } catch (error) {
      throw adminFailed('commit offsets', error);
    }
  }

  generation(): GroupGeneration | undefined {
    return this.joined;
  }

  private leftGroup(): void {
    if (this.joined) forgetMember(this.joined.memberId);
    this.joined = undefined;
  }

  private async deliver({ batch, heartbeat, isStale }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    // kafkajs heartbeats only between batches; while this batch waits behind a long step (a restore
    // in onAssigned) it must heartbeat itself, or the member would be evicted for silence.
    const keepAlive = setInterval(() => void heartbeat().catch(() => undefined), this.heartbeatIntervalMs);
    try {
      await this.deliverInTurn({ batch, heartbeat, isStale });
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async deliverInTurn({ batch, heartbeat, isStale }: Pick<EachBatchPayload, 'batch' | 'heartbeat' | 'isStale'>): Promise<void> {
    let delivery: Promise<void> = Promise.resolve();
    // Started in turn, after every assignment step queued before it; then it runs alongside other
    // partitions' records instead of holding the queue, so partitions ingest and commit in parallel.
    await this.enqueue(async () => {
      // A batch fetched before a rebalance may be delivered after it; drop it if the partition left.
      if (this.stopping || isStale() || !this.owns(batch.topic, batch.partition)) return;
      const records = batch.messages.map((message) => toIncoming(batch.topic, batch.partition, message));
      delivery = this.options.listener.onRecords({ topic: batch.topic, partition: batch.partition, records }, heartbeat);
      delivery.catch(() => undefined);
    });
    await delivery;
  }

  private async applyAssignment(memberId: string, assignment: Assignment, generation: GroupGeneration | undefined): Promise<void> {
    if (this.stopping) return;
    const next = Object.entries(assignment).flatMap(([topic, partitions]) =>
      partitions.map((partition) => ({ topic, partition })),
    );
    // A new member id means this member was evicted (a session timeout): whatever it owned before was
    // given away meanwhile, so every old partition is revoked and every new one is a fresh assignment.
    const sameMember = memberId === this.ownership.memberId;
    const revoked = sameMember ? this.owned.filter((tp) => !next.some((n) => same(n, tp))) : this.owned;
    const assigned = sameMember ? next.filter((tp) => !this.owned.some((o) => same(o, tp))) : next;
    this.logger.info('assignment changed', { assigned: assigned.length, revoked: revoked.length, owned: next.length });
    await this.revoke(revoked);
    if (this.joined && this.joined.memberId !== memberId) forgetMember(this.joined.memberId);
    this.joined = generation;
    this.ownership = { memberId, partitions: next };
    await this.options.listener.onAssigned(assigned);
  }

  /** A join ends a doubt with its assignment; a heartbeat of the same generation ends it with nothing new. */
  private confirmed(by: 'join' | 'heartbeat'): void {
    this.lastContactAt = Date.now();
    if (!this.inDoubt) return;
    this.inDoubt = false;
    if (by === 'heartbeat') this.enqueue(async () => this.options.listener.onMembershipConfirmed?.());
  }

  /** Tells the owner once per doubt. */
  private doubt(reason: string): void {
    if (this.inDoubt || this.stopping || this.owned.length === 0) return;
    this.inDoubt = true;
    this.logger.warn('group membership in doubt: holding owned partitions', { reason, owned: this.owned.length });
    this.options.listener.onRejoining?.();
  }

  private get owned(): TopicPartition[] {
    return this.ownership.partitions;
  }

  private async revoke(partitions: TopicPartition[]): Promise<void> {
    if (partitions.length === 0) return;
    this.ownership = { ...this.ownership, partitions: this.owned.filter((tp) => !partitions.some((r) => same(r, tp))) };
    await this.options.listener.onRevoked(partitions);
  }

  private owns(topic: string, partition: number): boolean {
    return this.owned.some((tp) => tp.topic === topic && tp.partition === partition);
  }

  /** Runs `step` after every earlier step; a failing step is logged and does not block the next. */
  private enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.queue.then(step);
    this.queue = run.catch((error: unknown) => this.logger.error('group listener failed', { error }));
    return run;
  }
}

function same(a: TopicPartition, b: TopicPartition): boolean {
  return a.topic === b.topic && a.partition === b.partition;
}
