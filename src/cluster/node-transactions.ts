/**
 * The node's one transaction loop (KIP-447, like Kafka Streams' exactly_once_v2).
 *
 * One transactional producer per node (a stable transactional.id) commits the work of every
 * partition the node owns: each transaction gathers the shares of all partition tasks (due
 * execution events, dead letters, changelog records) and commits the input offset of every
 * partition it carries a share of, under the consumer group's generation. The group coordinator
 * refuses those offsets once the group has moved past that generation, so a node that lost its
 * partitions (a zombie) cannot commit a write of any of them; and since every share commits its
 * partition's offset, no write of a partition can commit without that check.
 *
 * A transaction begins at once when some task has due work and the last one began at least
 * `minIntervalMs` ago; under load the work that piles up meanwhile shares one transaction. Restore
 * barriers (restore.ts) go through here too, and run while the loop is held: they are fenced by the
 * generation like everything else.
 *
 * A failed transaction's outcome is unknown (its commit may have reached the coordinator). The
 * producer is replaced at once, before anything else runs: registering the transactional.id again
 * makes the coordinator finish or abort what the old producer left, so no open transaction of this
 * node blocks a restore. Every task with a share in it then rebuilds from the changelog.
 */
import type { CancelTimer, Clock } from '../domain/clock';
import { TransactionFailedError } from '../kafka/errors';
import type { GroupGeneration, OffsetCommit, OutgoingRecord, RecordMetadata, TopicPartition, TransactionalProducer } from '../kafka/port';
import type { Logger } from '../log/logger';
import type { TaskMetrics, TransactionPhases } from '../metrics/metrics';

/** What one partition puts into a transaction. */
export interface TransactionShare {
  input: TopicPartition;
  records: OutgoingRecord[];
  /** The next input offset, committed with the transaction; undefined while the partition has none. */
  inputOffset: number | undefined;
  /** Next offsets of the participant's other input partitions (a task's status partition), committed with the transaction. */
  otherOffsets?: OffsetCommit[];
  /** More was due than one share carries: the loop goes on at once. */
  moreDue?: boolean;
}

/** A share taken from a task, which starts no other step until it is settled one way or the other. */
export interface TakenShare extends TransactionShare {
  /** The transaction committed; `metadata` tells where its records landed (first offset per topic-partition). */
  committed(metadata: RecordMetadata[], committedAt: number): Promise<void>;
  /** The transaction failed and may or may not have committed: the task must rebuild. */
  failed(error: unknown): void;
}

export interface TransactionParticipant {
  readonly input: TopicPartition;
  /** Whether the task has work that must commit now (a due fire, ingest past its deadline). Cheap and synchronous. */
  hasDueWork(now: number): boolean;
  /** Everything the task has for the transaction, due or not; undefined when nothing. Never rejects. */
  takeShare(now: number): Promise<TakenShare | undefined>;
}

/** Points of a transaction the fault suite can stop a node at (src/dev/transaction-fault.ts). */
export const TRANSACTION_STEPS = ['sent', 'offsets-sent', 'committing', 'committed'] as const;
export type TransactionStep = (typeof TRANSACTION_STEPS)[number];

export interface NodeTransactionsOptions {
  groupId: string;
  transactionalId: string;
  createProducer: (transactionalId: string) => TransactionalProducer;
  /** The generation of the node's group membership now; undefined while it is not a member. */
  generation: () => GroupGeneration | undefined;
  /** Least time between the starts of two transactions. */
  minIntervalMs: number;
  clock: Clock;
  logger: Logger;
  metrics?: Pick<TaskMetrics, 'committed' | 'transactionFailed'>;
  /**
   * Test only: told of each step of every transaction that carries task work, with its count from 1
   * (the fault suite stops the process there).
   */
  onStep?: (step: TransactionStep, transaction: number) => void;
}

const PRODUCER_RETRY_FIRST_MS = 250;
const PRODUCER_RETRY_LONGEST_MS = 5_000;

interface PendingBarrier {
  share: TransactionShare;
  settle: (outcome: { metadata: RecordMetadata[] } | { error: unknown }) => void;
}

export class NodeTransactions {
  private readonly participants = new Set<TransactionParticipant>();
  private barriers: PendingBarrier[] = [];
  private producer: TransactionalProducer | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private held = false;
  private closed = false;
  private lastBeganAt = -Infinity;
  /** Transactions begun that carry task work (the count onStep reports). */
  private workTransactions = 0;
  private readonly logger: Logger;
  private readonly timers = new Set<CancelTimer>();

  constructor(private readonly options: NodeTransactionsOptions) {
    this.logger = options.logger.child({ component: 'transactions', transactionalId: options.transactionalId });
  }

  get transactionalId(): string {
    return this.options.transactionalId;
  }

  /**
   * Registers the node's transactional.id before any task starts: a transaction the node's previous
   * process left open is aborted now, rather than holding its partitions until the transaction
   * timeout (a new owner does not end a transaction of its own id).
   */
  async start(): Promise<void> {
    await this.connectedProducer();
  }

  register(participant: TransactionParticipant): void {
    this.participants.add(participant);
  }

  /** The task left (closed or revoked): its barriers still waiting fail, none of its shares is taken again. */
  unregister(participant: TransactionParticipant): void {
    this.participants.delete(participant);
    const input = participant.input;
    const leaving = this.barriers.filter(({ share }) => share.input.topic === input.topic && share.input.partition === input.partition);
    this.barriers = this.barriers.filter((barrier) => !leaving.includes(barrier));
    for (const { settle } of leaving) settle({ error: new Error(`partition ${input.topic}-${input.partition} left the node before its barrier committed`) });
  }

  /** Begins no transaction of task shares (barriers still go) until resume(): the membership is in doubt. */
  hold(): void {
    this.held = true;
  }

  resume(): void {
    if (!this.held) return;
    this.held = false;
    this.request();
  }

  /** Some task has work due: a transaction begins as soon as the loop is free and the interval has passed. */
  request(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runLoop()
      .catch((error: unknown) => this.logger.error('transaction loop failed', { error }))
      .finally(() => {
        this.running = undefined;
        if (this.again) this.request();
      });
  }

  /**
   * Commits `share` (a restore barrier) in the next transaction, held or not; resolves with where
   * its records landed. Rejects when that transaction fails, or the task leaves first.
   */
  barrier(share: TransactionShare): Promise<RecordMetadata[]> {
    if (this.closed) return Promise.reject(new Error('the node is stopping'));
    return new Promise((resolve, reject) => {
      this.barriers.push({ share, settle: (outcome) => ('error' in outcome ? reject(outcome.error) : resolve(outcome.metadata)) });
      this.request();
    });
  }

  /** Lets the running transaction end, then closes the producer. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    await this.running;
    for (const { settle } of this.barriers.splice(0)) settle({ error: new Error('the node is stopping') });
    const producer = this.producer;
    this.producer = undefined;
    await producer?.close().catch((error: unknown) => this.logger.warn('producer close failed', { error }));
  }

  private async runLoop(): Promise<void> {
    do {
      this.again = false;
      const wait = this.lastBeganAt + this.options.minIntervalMs - this.options.clock.now();
      if (wait > 0) await this.sleep(wait);
      if (this.closed) return;
      await this.transactOnce();
    } while (this.again && !this.closed);
  }

  private async transactOnce(): Promise<void> {
    const now = this.options.clock.now();
    const barriers = this.barriers.splice(0);
    const participants = [...this.participants];
    const due = !this.held && participants.some((participant) => participant.hasDueWork(now));
    const taken = due ? (await Promise.all(participants.map((participant) => participant.takeShare(now)))).filter((share): share is TakenShare => share !== undefined) : [];
    if (barriers.length === 0 && taken.length === 0) return;
    this.lastBeganAt = now;
    const phases = new PhaseTimer(this.options.clock, now);
    const shares: TransactionShare[] = [...barriers.map(({ share }) => share), ...taken];
    const settleFailed = (error: unknown): void => {
      for (const share of taken) share.failed(error);
      for (const { settle } of barriers) settle({ error });
    };
    let metadata: RecordMetadata[];
    const step = taken.length > 0 && this.options.onStep ? this.stepReporter(++this.workTransactions) : undefined;
    try {
      metadata = await this.commit(shares, step, phases);
    } catch (error) {
      const failure = error instanceof TransactionFailedError ? error : new TransactionFailedError(`transaction failed for ${this.transactionalId}: ${String(error)}`, false, { cause: error });
      this.options.metrics?.transactionFailed(failure.staleGeneration ? 'generation' : failure.fenced ? 'epoch' : 'other');
      this.logger.warn('transaction failed', { error: failure, shares: shares.length, fenced: failure.fenced, staleGeneration: failure.staleGeneration });
      // The producer first: its replacement settles the failed transaction on the coordinator.
      await this.replaceProducer();
      settleFailed(failure);
      return;
    }
    const committedAt = this.options.clock.now();
    this.options.metrics?.committed(phases.seconds());
    for (const { settle } of barriers) settle({ metadata });
    await Promise.all(taken.map((share) => share.committed(metadata, committedAt).catch((error: unknown) => this.logger.error('applying a committed share failed', { error, partition: share.input.partition }))));
    // Work that fell due while this transaction ran goes next, without waiting for its task's timer
    // (armed again only after the task's store write).
    if (taken.some((share) => share.moreDue) || participants.some((participant) => participant.hasDueWork(committedAt))) this.again = true;
  }

  private async commit(shares: TransactionShare[], step: ((step: TransactionStep) => void) | undefined, phases: PhaseTimer): Promise<RecordMetadata[]> {
    const offsets = offsetsOf(shares);
    const generation = this.options.generation();
    if (offsets.length > 0 && !generation) {
      throw new TransactionFailedError('the node is not a member of the group now: no offsets can be committed', false, { staleGeneration: true });
    }
    const producer = await this.connectedProducer();
    phases.mark('collect');
    const transaction = await producer.beginTransaction();
    // The records and the offsets go side by side: their requests do not depend on each other, and a
    // transaction is five round trips when they follow one another (measured: 9.3 ms a transaction
    // in turn, 5.9 ms side by side, on one local broker).
    const sending = transaction.send(shares.flatMap((share) => share.records)).then((metadata) => {
      step?.('sent');
      return metadata;
    });
    const offsetsSending = offsets.length > 0 ? transaction.sendOffsets(this.options.groupId, offsets, generation) : Promise.resolve();
    const [metadata] = await Promise.all([sending, offsetsSending]);
    phases.mark('send');
    step?.('offsets-sent');
    const committing = transaction.commit();
    step?.('committing');
    await committing;
    phases.mark('commit');
    step?.('committed');
    return metadata;
  }

  private stepReporter(transaction: number): (step: TransactionStep) => void {
    return (step) => this.options.onStep?.(step, transaction);
  }

  private async connectedProducer(): Promise<TransactionalProducer> {
    if (this.producer) return this.producer;
    const producer = this.options.createProducer(this.transactionalId);
    await producer.connect();
    this.producer = producer;
    return producer;
  }

  /** Closes the failed producer and registers a new one, trying until it works or the node stops. */
  private async replaceProducer(): Promise<void> {
    const failed = this.producer;
    this.producer = undefined;
    await failed?.close().catch((error: unknown) => this.logger.warn('producer close failed', { error }));
    for (let delay = PRODUCER_RETRY_FIRST_MS; !this.closed; delay = Math.min(delay * 2, PRODUCER_RETRY_LONGEST_MS)) {
      try {
        await this.connectedProducer();
        return;
      } catch (error) {
        this.logger.warn('registering the transactional producer failed; trying again', { error, retryInMs: delay });
        await this.sleep(delay);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancelTimer = this.options.clock.setTimer(ms, () => {
        this.timers.delete(wake);
        resolve();
      });
      // Cancelled on close: the sleeper wakes at once and sees the loop closed.
      const wake = (): void => {
        cancelTimer();
        resolve();
      };
      this.timers.add(wake);
    });
  }
}

/** One offset per input partition that has one: every partition a transaction writes for is fenced by it. */
function offsetsOf(shares: TransactionShare[]): OffsetCommit[] {
  const offsets = new Map<string, OffsetCommit>();
  for (const { input, inputOffset, otherOffsets } of shares) {
    if (inputOffset !== undefined && inputOffset >= 0) offsets.set(`${input.topic}\u0000${input.partition}`, { ...input, offset: inputOffset });
    for (const other of otherOffsets ?? []) if (other.offset >= 0) offsets.set(`${other.topic}\u0000${other.partition}`, other);
  }
  return [...offsets.values()];
}

/** Where a transaction's time went (the phases of TransactionPhases), read off the node's clock. */
class PhaseTimer {
  private readonly spent: TransactionPhases = { collect: 0, send: 0, commit: 0 };

  constructor(
    private readonly clock: Clock,
    /** When the transaction began taking shares. */
    private last: number,
  ) {}

  /** `phase` ended now. */
  mark(phase: keyof TransactionPhases): void {
    const now = this.clock.now();
    this.spent[phase] += (now - this.last) / 1000;
    this.last = now;
  }

  seconds(): TransactionPhases {
    return { ...this.spent };
  }
}
