/**
 * The execution side of Punctual: a consumer group over the target topics that runs a handler per
 * fire, records each attempt's outcome to the status topic and commits the event's offset in the
 * same transaction (fenced by the group generation, like a node's), and dead-letters what it
 * cannot run. Handlers run at least once per fire; each attempt has exactly one committed outcome.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { NodeTransactions } from '../cluster/node-transactions';
import { TargetTopics } from '../cluster/target-topics';
import { systemClock, type Clock } from '../domain/clock';
import { KafkajsPort } from '../kafka/kafkajs/kafkajs-port';
import type { Admin, GroupConsumer, IncomingRecord, KafkaPort, OutgoingRecord, RecordBatch, TopicPartition } from '../kafka/port';
import { createLogger, type Logger } from '../log/logger';
import { ExecutorMetrics } from './executor-metrics';
import { ExecutorPartition } from './executor-partition';
import { EXECUTOR_HEADERS, parseFire, type Fire } from './fire';
import { DEFAULT_MAX_RESULT_BYTES, HandlerTimeoutError, failed, succeeded, type HandlerOutcome } from './outcome';
import { decideRetry, policyWithDefinition, retryPolicy, type RetryOptions, type RetryPolicy } from '../domain/retry-policy';
import { RecentKeys } from './recent-keys';
import { Slots } from './slots';
import { AttemptSends, ExistingTopics, type SendRecord } from './attempt-sends';
import { deadLetter } from '../ingest/dead-letter';
import { fireDeadLetter, retryDefinitionRecord, statusRecord } from './status-record';
import { withAttemptError } from './attempt-errors';

export interface HandlerContext {
  /** Aborted when the handler's timeout passes or the executor stops past its deadline. */
  signal: AbortSignal;
  logger: Logger;
  /**
   * Writes records to Kafka exactly once: they go into the transaction that records this attempt's
   * success and commits its event's offset. A failed attempt's records are not written. Rejects
   * (naming the field) a malformed record or a topic that does not exist.
   */
  send(records: SendRecord | SendRecord[]): Promise<void>;
}

export type Handler = (fire: Fire, ctx: HandlerContext) => Promise<unknown>;

export interface ExecutorOptions {
  brokers: string[];
  /** One consumer group per service: each fire goes to one of its instances. */
  groupId: string;
  /** Capability (by default the target topic the schedules name) -> handler. */
  handlers: Record<string, Handler>;
  /** Topics to read; default: the handlers' capabilities, each one a topic. */
  topics?: string[];
  /** Handlers running at once in this process. Default 10. */
  concurrency?: number;
  /** Longest a handler may run before it is aborted and its attempt fails. Default 30 s. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Events of one key run one after another, in offset order. Default false. */
  orderedByKey?: boolean;
  /** Names this process in status records and in its transactional.id. Default: host name, pid and a random suffix. */
  executorId?: string;
  statusTopic?: string;
  deadLetterTopic?: string;
  /** Where retries are scheduled: the definitions topic of the Punctual cluster. Default punctual.definitions. */
  definitionsTopic?: string;
  maxResultBytes?: number;
  sessionTimeoutMs?: number;
  /**
   * Longest a fetch waits at the broker for new events. Short by default: a read_committed fetch
   * waited out most of kafkajs' 1 s before it answered with events a node had just committed. Default 100 ms.
   */
  fetchMaxWaitMs?: number;
  /**
   * transaction.timeout.ms of the executor's transactions. They only carry outcomes (never a running
   * handler), so it is short: a killed executor's open transaction holds the status and definitions
   * partitions it wrote to (read_committed stops at it) until the coordinator aborts it. Default 10 s.
   */
  transactionTimeoutMs?: number;
  /** Stop (as stop() does) on SIGTERM and SIGINT. Default false. */
  stopOnSignals?: boolean;
  logger?: Logger;
  /** Tests: the Kafka port and clock to use. */
  port?: KafkaPort;
  clock?: Clock;
}

export const DEFAULT_STATUS_TOPIC = 'punctual.status';
export const DEFAULT_EXECUTIONS_DLQ_TOPIC = 'punctual.executions.dlq';
export const DEFAULT_DEFINITIONS_TOPIC = 'punctual.definitions';
const DEFAULT_CONCURRENCY = 10;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_FETCH_MAX_WAIT_MS = 100;
const DEFAULT_TRANSACTION_TIMEOUT_MS = 10_000;
const DEFAULT_STOP_DEADLINE_MS = 30_000;
const COMMITTED_KEYS_KEPT = 10_000;
const COMMIT_INTERVAL_MS = 5;
const READY_HEARTBEAT_MS = 1_000;

export function createExecutor(options: ExecutorOptions): Executor {
  return new Executor(options);
}

export class Executor {
  readonly executorId: string;
  readonly metrics = new ExecutorMetrics();
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;
  private readonly slots: Slots;
  private readonly statusTopic: string;
  private readonly deadLetterTopic: string;
  private readonly definitionsTopic: string;
  private readonly partitions = new Map<string, ExecutorPartition>();
  /** Per partition: resolves true once it knows its committed offset, false if it was revoked first. */
  private readonly ready = new WeakMap<ExecutorPartition, Promise<boolean>>();
  private readonly running = new Map<AbortController, Promise<void>>();
  private readonly keyChains = new Map<string, Promise<void>>();
  /** fireId and attempt of outcomes committed here: a redelivery of one is not run again. */
  private readonly committedKeys = new RecentKeys(COMMITTED_KEYS_KEPT);
  private readonly outcomeKeys = new Map<string, Map<number, string>>();
  private admin: Admin | undefined;
  private consumer: GroupConsumer | undefined;
  private transactions: NodeTransactions | undefined;
  private stopping: Promise<void> | undefined;
  private readonly existingTopics = new ExistingTopics(() => this.requireAdmin());

  constructor(private readonly options: ExecutorOptions) {
    if (Object.keys(options.handlers).length === 0) throw new RangeError('handlers: at least one capability -> handler is needed');
    for (const [capability, handler] of Object.entries(options.handlers)) {
      if (typeof handler !== 'function') throw new TypeError(`handlers.${capability} must be a function, got ${typeof handler}`);
    }
    this.executorId = options.executorId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.logger = (options.logger ?? createLogger('info')).child({ component: 'executor', executorId: this.executorId });
    this.clock = options.clock ?? systemClock;
    this.policy = retryPolicy(options.retry);
    this.slots = new Slots(options.concurrency ?? DEFAULT_CONCURRENCY);
    this.statusTopic = options.statusTopic ?? DEFAULT_STATUS_TOPIC;
    this.deadLetterTopic = options.deadLetterTopic ?? DEFAULT_EXECUTIONS_DLQ_TOPIC;
    this.definitionsTopic = options.definitionsTopic ?? DEFAULT_DEFINITIONS_TOPIC;
  }

  get topics(): string[] {
    return this.options.topics ?? Object.keys(this.options.handlers);
  }

  async start(): Promise<void> {
    const { groupId } = this.options;
    const port = this.options.port ?? new KafkajsPort({ brokers: this.options.brokers, clientId: `punctual-executor-${this.executorId}`, logger: this.logger, transactionTimeoutMs: this.options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS });
    const admin = (this.admin = port.createAdmin());
    await admin.connect();
    try {
      await this.requireTopics(admin);
      // Its topics may not exist before the first schedule names them: made as a node makes a target topic (the broker's defaults).
      const targetTopics = new TargetTopics(admin);
      await Promise.all(this.topics.map((topic) => targetTopics.ensure(topic)));
    } catch (error) {
      await admin.close();
      throw error;
    }
    const consumer = (this.consumer = port.createGroupConsumer({
      groupId,
      topics: this.topics,
      fromBeginning: true,
      maxWaitMs: this.options.fetchMaxWaitMs ?? DEFAULT_FETCH_MAX_WAIT_MS,
      ...(this.options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: this.options.sessionTimeoutMs }),
      listener: {
        onAssigned: (partitions) => this.assigned(partitions),
        onRevoked: async (partitions) => this.revoked(partitions),
        onRecords: (batch, heartbeat) => this.received(batch, heartbeat),
        onRejoining: () => this.transactions?.hold(),
        onMembershipConfirmed: async () => this.transactions?.resume(),
      },
    }));
    this.transactions = new NodeTransactions({
      groupId,
      transactionalId: `${groupId}-executor-${this.executorId}`,
      createProducer: (id) => port.createTransactionalProducer(id),
      generation: () => consumer.generation(),
      minIntervalMs: COMMIT_INTERVAL_MS,
      clock: this.clock,
      logger: this.logger,
    });
    await this.transactions.start();
    await consumer.start();
    if (this.options.stopOnSignals) for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void this.stop());
    this.logger.info('executor started', { groupId, topics: this.topics, capabilities: Object.keys(this.options.handlers) });
  }

  /**
   * Fetches nothing new, lets running handlers finish up to `deadlineMs` (then aborts them), commits
   * the outcomes of the finished ones, and leaves the group. Idempotent.
   */
  stop(deadlineMs = DEFAULT_STOP_DEADLINE_MS): Promise<void> {
    this.stopping ??= this.shutDown(deadlineMs);
    return this.stopping;
  }

  private async shutDown(deadlineMs: number): Promise<void> {
    const deadline = this.clock.now() + deadlineMs;
    while (this.running.size > 0 && this.clock.now() < deadline) await Promise.race([Promise.all(this.running.values()), this.sleep(50)]);
    for (const controller of this.running.keys()) controller.abort(new Error('the executor is stopping'));
    // The outcomes recorded so far go in before the group is left.
    this.transactions?.request();
    while ([...this.partitions.values()].some((partition) => !partition.isRevoked && !partition.idle) && this.clock.now() < deadline + 10_000) await this.sleep(20);
    await this.consumer?.stop();
    await this.transactions?.close();
    await this.admin?.close();
    this.logger.info('executor stopped');
  }

  /**
   * New partitions start at once; each reads its committed offset (which may wait out a transaction
   * a dead owner left open) before its records run, without holding up the group's callbacks.
   */
  private async assigned(partitions: TopicPartition[]): Promise<void> {
    for (const input of partitions) {
      const partition = new ExecutorPartition(input, {
        groupId: this.options.groupId,
        admin: this.requireAdmin(),
        logger: this.logger,
        onCommitted: (offsets) => this.committed(input, offsets),
        requestCommit: () => this.transactions?.request(),
      });
      this.partitions.set(keyOf(input), partition);
      this.ready.set(
        partition,
        partition.start().then((started) => {
          if (started) this.transactions?.register(partition);
          return started;
        }),
      );
    }
    this.transactions?.resume();
  }

  private revoked(partitions: TopicPartition[]): void {
    for (const input of partitions) {
      const partition = this.partitions.get(keyOf(input));
      if (!partition) continue;
      partition.revoke();
      this.transactions?.unregister(partition);
      this.partitions.delete(keyOf(input));
      this.outcomeKeys.delete(keyOf(input));
    }
  }

  private async received(batch: RecordBatch, heartbeat: () => Promise<void>): Promise<void> {
    const partition = this.partitions.get(keyOf(batch));
    const ready = partition && this.ready.get(partition);
    if (!partition || !ready) return;
    // The membership is kept alive while the partition's committed offset is read.
    for (let started: boolean | undefined; started === undefined; ) {
      started = await Promise.race([ready, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), READY_HEARTBEAT_MS))]);
      if (started === false) return;
      if (started === undefined) await heartbeat();
    }
    for (const record of batch.records) {
      if (this.stopping || !partition || partition.isRevoked) return;
      if (partition.progress.isBehind(record.offset)) continue;
      await this.slots.acquire(heartbeat);
      if (this.stopping || partition.isRevoked) {
        this.slots.release();
        return;
      }
      partition.progress.started(record.offset);
      const controller = new AbortController();
      const run = this.inKeyOrder(record, () => this.execute(partition, record, controller))
        .catch((error: unknown) => this.logger.error('running an event failed', { error, partition: record.partition, offset: record.offset }))
        .finally(() => {
          this.running.delete(controller);
          this.slots.release();
        });
      this.running.set(controller, run);
    }
  }

  private inKeyOrder(record: IncomingRecord, run: () => Promise<void>): Promise<void> {
    if (!this.options.orderedByKey || record.key === null) return run();
    const key = `${record.topic}\u0000${record.key.toString('utf8')}`;
    const next = (this.keyChains.get(key) ?? Promise.resolve()).then(run);
    const settled = next.catch(() => undefined);
    this.keyChains.set(key, settled);
    void settled.then(() => {
      if (this.keyChains.get(key) === settled) this.keyChains.delete(key);
    });
    return next;
  }

  private async execute(partition: ExecutorPartition, record: IncomingRecord, controller: AbortController): Promise<void> {
    // Every started offset must finish, or the partition's commits stop behind it.
    const records = await this.outcomeOf(partition, record, controller).catch((error: unknown) => this.refuse(record, record.topic, `the executor failed on this event: ${String(error)}`));
    if (partition.isRevoked) return;
    partition.progress.finished(record.offset, records.records);
    if (records.key) this.rememberOutcome(partition.input, record.offset, records.key);
    this.transactions?.request();
  }

  /** The records that record the outcome of `record`, and the fireId/attempt key of a fire that ran. */
  private async outcomeOf(partition: ExecutorPartition, record: IncomingRecord, controller: AbortController): Promise<{ records: OutgoingRecord[]; key?: string }> {
    const parsed = parseFire(record);
    if ('refused' in parsed) return this.refuse(record, record.topic, parsed.refused);
    const { fire } = parsed;
    const handler = this.options.handlers[fire.capability];
    if (!handler) return this.refuse(record, fire.capability, `no handler for capability "${fire.capability}" in executor group ${this.options.groupId}`);
    const policy = this.policyOf(fire);
    if (typeof policy === 'string') return this.refuse(record, fire.capability, policy);
    const key = `${fire.fireId}#${fire.attempt}`;
    if (this.committedKeys.has(key)) return { records: [] };
    const startedAt = this.clock.now();
    partition.announce(record.offset, () => [statusRecord(this.statusTopic, fire, { status: 'started', executorId: this.executorId, startedAt: new Date(startedAt).toISOString() })]);
    const sends = new AttemptSends(this.existingTopics);
    const outcome = await this.runHandler(handler, fire, controller, sends);
    const sent = sends.end();
    const finishedAt = this.clock.now();
    const timing = { executorId: this.executorId, startedAt: new Date(startedAt).toISOString(), finishedAt: new Date(finishedAt).toISOString(), durationMs: finishedAt - startedAt };
    if (outcome.kind === 'succeeded') {
      this.metrics.finished(fire.capability, 'succeeded', timing.durationMs);
      this.metrics.succeeded(fire.capability, fire.scheduledAt.getTime(), finishedAt);
      return { records: [...sent, statusRecord(this.statusTopic, fire, { status: 'succeeded', result: outcome.result, ...timing })], key };
    }
    const errors = withAttemptError(fire.attemptErrors, { attempt: fire.attempt, ...outcome.error, finishedAt: timing.finishedAt });
    const decision = outcome.retryable ? decideRetry(policy, fire.attempt, fire.scheduledAt.getTime(), finishedAt, Math.random(), outcome.retryAfterMs) : { retry: false as const, reason: `${outcome.error.type}: not retried` };
    if (decision.retry) {
      this.metrics.finished(fire.capability, 'retrying', timing.durationMs);
      const at = finishedAt + decision.delayMs;
      // The retry is a one-shot scheduled through Punctual in the same transaction as this outcome.
      const retry = retryDefinitionRecord(this.definitionsTopic, fire, record, at, errors);
      return { records: [statusRecord(this.statusTopic, fire, { status: 'retrying', error: outcome.error, nextAttemptAt: new Date(at).toISOString(), ...timing }), retry], key };
    }
    this.metrics.finished(fire.capability, 'dead-lettered', timing.durationMs);
    const reason = `${decision.reason}; last error ${outcome.error.type}: ${outcome.error.message}`;
    return { records: [statusRecord(this.statusTopic, fire, { status: 'dead-lettered', error: outcome.error, ...timing }), fireDeadLetter(this.deadLetterTopic, record, reason, errors)], key };
  }

  /**
   * The executor's retry options with the definition's fields over them (a definition's initialMs
   * above the executor's maxMs raises the cap to it), or why the definition's cannot be used.
   */
  private policyOf(fire: Fire): RetryPolicy | string {
    if (!fire.retry) return this.policy;
    try {
      return policyWithDefinition(this.options.retry ?? {}, fire.retry);
    } catch (error) {
      return `fire ${fire.fireId}: the definition's retry (header ${EXECUTOR_HEADERS.retry}) is refused: ${(error as Error).message}`;
    }
  }

  private refuse(record: IncomingRecord, capability: string, reason: string): { records: OutgoingRecord[]; key?: string } {
    this.metrics.finished(capability, 'refused');
    this.logger.warn('event dead-lettered', { topic: record.topic, partition: record.partition, offset: record.offset, reason });
    return { records: [deadLetter(this.deadLetterTopic, record, reason)] };
  }

  /**
   * Runs the handler with the event's own controller: the executor's stop aborts it, and so does the
   * timeout (one controller per event: a second one per attempt showed in profiles).
   */
  private async runHandler(handler: Handler, fire: Fire, controller: AbortController, sends: AttemptSends): Promise<HandlerOutcome> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let cancelTimer = (): void => undefined;
    const timedOut = new Promise<HandlerOutcome>((resolve) => {
      cancelTimer = this.clock.setTimer(timeoutMs, () => {
        const error = new HandlerTimeoutError(timeoutMs);
        controller.abort(error);
        resolve(failed(error));
      });
    });
    const executorLogger = this.logger;
    let logger: Logger | undefined;
    const context: HandlerContext = {
      signal: controller.signal,
      // Made when a handler first logs: most never do.
      get logger() {
        logger ??= executorLogger.child({ fireId: fire.fireId, attempt: fire.attempt, capability: fire.capability });
        return logger;
      },
      send: (records) => sends.send(records),
    };
    try {
      return await Promise.race([
        Promise.resolve()
          .then(() => handler(fire, context))
          .then(
            (result) => succeeded(result, this.options.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES),
            (error: unknown) => failed(error),
          ),
        timedOut,
      ]);
    } finally {
      cancelTimer();
    }
  }

  private rememberOutcome(input: TopicPartition, offset: number, key: string): void {
    const byOffset = this.outcomeKeys.get(keyOf(input)) ?? new Map<number, string>();
    byOffset.set(offset, key);
    this.outcomeKeys.set(keyOf(input), byOffset);
  }

  private committed(input: TopicPartition, offsets: number[]): void {
    const byOffset = this.outcomeKeys.get(keyOf(input));
    for (const offset of offsets) {
      const key = byOffset?.get(offset);
      byOffset?.delete(offset);
      if (key === undefined) continue;
      this.committedKeys.add(key);
    }
  }

  /** The topics outcomes go to are Punctual's (a node creates them): an executor that cannot write them fails at start, not per attempt. */
  private async requireTopics(admin: Admin): Promise<void> {
    const needed = [this.statusTopic, this.deadLetterTopic, this.definitionsTopic];
    const existing = new Set((await admin.describeTopics(needed)).map((topic) => topic.topic));
    const missing = needed.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      throw new Error(`the executor writes to ${missing.join(', ')}, which do not exist: start a Punctual node with the same topic settings first (it creates them), or pass statusTopic, deadLetterTopic and definitionsTopic`);
    }
  }

  private requireAdmin(): Admin {
    if (!this.admin) throw new Error('the executor has not started');
    return this.admin;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimer(ms, () => resolve()));
  }
}

function keyOf({ topic, partition }: TopicPartition): string {
  return `${topic}\u0000${partition}`;
}
