/**
 * Every Prometheus metric of a node, declared in one place (docs/metrics.md lists the same).
 * Tasks report through the TaskMetrics interface; gauges about stores are read when scraped.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ExecutionStatus } from '../domain/execution-status';
import type { ControlKind } from '../domain/schedule-control';
import { LEVEL_NAMES } from '../domain/time-buckets';

/** What a partition task reports. A no-op implementation serves tests that do not look. */
export type TransactionFailureReason = 'epoch' | 'generation' | 'other';

/**
 * Seconds a node transaction spent in each phase: collect (taking every task's share, which waits
 * for the task's store write of the transaction before), send (AddPartitionsToTxn and Produce
 * beside AddOffsetsToTxn and TxnOffsetCommit), commit (EndTxn).
 */
export interface TransactionPhases {
  collect: number;
  send: number;
  commit: number;
}

export interface TaskMetrics {
  fired(partition: number, scheduledAts: number[], committedAt: number): void;
  missed(partition: number, count: number): void;
  /** Occurrences execution windows and exclusion calendars dropped. */
  skipped(partition: number, count: number): void;
  deadLettered(partition: number, count: number): void;
  ingested(result: IngestResult): void;
  restored(path: 'checkpoint' | 'full', seconds: number, records: number): void;
  committed(phases: TransactionPhases): void;
  transactionFailed(reason: TransactionFailureReason): void;
  /** Whether the partition's ingest waits for a target topic (a call failed or has not been answered for a while). */
  targetTopicWaiting(partition: number, waiting: boolean): void;
  /** A call to find or create a target topic failed transiently and will be tried again. */
  targetTopicRetried(): void;
  /** Status records committed into the history, by status. */
  outcomesRecorded(statuses: ExecutionStatus[]): void;
  /** Status records skipped because they do not parse. */
  statusRefused(count: number): void;
  /** A control record applied; on a resume, the occurrences that came due while paused. */
  controlled(control: ControlKind, passedWhilePaused: number): void;
  /** Fires outside the regular run committed: triggered, or of a backfill. */
  extraFired(partition: number, origin: 'trigger' | 'backfill', count: number): void;
}

export type IngestResult = 'applied' | 'deleted' | 'unchanged' | 'invalid';

export const noTaskMetrics: TaskMetrics = {
  fired: () => undefined,
  missed: () => undefined,
  skipped: () => undefined,
  deadLettered: () => undefined,
  ingested: () => undefined,
  restored: () => undefined,
  committed: () => undefined,
  transactionFailed: () => undefined,
  targetTopicWaiting: () => undefined,
  targetTopicRetried: () => undefined,
  outcomesRecorded: () => undefined,
  statusRefused: () => undefined,
  controlled: () => undefined,
  extraFired: () => undefined,
};

/** Read at scrape time: the owned partitions and their stores' counts. */
export interface StoreFigures {
  partitions(): Map<number, { scheduleCount(): number; occupancy(): number[] }>;
}

const LATENESS_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class PunctualMetrics implements TaskMetrics {
  readonly registry = new Registry();
  private readonly fires = new Counter({ name: 'punctual_fires_total', help: 'Execution events committed to target topics.', labelNames: ['partition'], registers: [this.registry] });
  private readonly lateness = new Histogram({
    name: 'punctual_fire_lateness_seconds',
    help: 'From an occurrence\'s due time to the commit of its execution event.',
    buckets: LATENESS_BUCKETS,
    registers: [this.registry],
  });
  private readonly missedOccurrences = new Counter({
    name: 'punctual_missed_occurrences_total',
    help: 'Occurrences not emitted because the misfire policy dropped them.',
    labelNames: ['partition'],
    registers: [this.registry],
  });
  private readonly skippedOccurrences = new Counter({
    name: 'punctual_skipped_occurrences_total',
    help: 'Occurrences not emitted because an execution window (skip, or several deferred to one opening) or an exclusion calendar dropped them.',
    labelNames: ['partition'],
    registers: [this.registry],
  });
  private readonly controls = new Counter({ name: 'punctual_controls_applied_total', help: 'Control records applied (pause, resume, trigger, skip, backfill, cancel-backfill), REST or Kafka.', labelNames: ['control'], registers: [this.registry] });
  private readonly passedWhilePaused = new Counter({
    name: 'punctual_paused_occurrences_total',
    help: 'Occurrences that came due while their schedule was paused, counted on resume (the misfire policy then fires or drops them).',
    registers: [this.registry],
  });
  private readonly extraFires = new Counter({
    name: 'punctual_extra_fires_total',
    help: 'Fires committed outside the regular run: origin trigger (trigger now) or backfill (an occurrence of a backfilled range, paced by its throttle).',
    labelNames: ['partition', 'origin'],
    registers: [this.registry],
  });
  private readonly deadLetters = new Counter({ name: 'punctual_dead_letters_total', help: 'Invalid definitions written to the dead letter topic.', labelNames: ['partition'], registers: [this.registry] });
  private readonly ingest = new Counter({
    name: 'punctual_definitions_ingested_total',
    help: 'Definition records read, by result: applied, deleted, unchanged (replay or duplicate), invalid.',
    labelNames: ['result'],
    registers: [this.registry],
  });
  private readonly restoreSeconds = new Histogram({
    name: 'punctual_restore_seconds',
    help: 'Time to restore a partition store from the changelog, by path (checkpoint or full).',
    labelNames: ['path'],
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  private readonly restoreRecords = new Counter({ name: 'punctual_restore_records_total', help: 'Changelog records read by restores.', registers: [this.registry] });
  private readonly commitSeconds = new Histogram({
    name: 'punctual_transaction_commit_seconds',
    help: 'Duration of a node transaction (the shares of all its partitions), from the first share taken to the commit.',
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  private readonly phaseSeconds = new Histogram({
    name: 'punctual_transaction_phase_seconds',
    help: 'Time a node transaction spent in each phase: collect (the shares of all its partitions), send (records and offsets), commit (EndTxn).',
    labelNames: ['phase'],
    buckets: LATENESS_BUCKETS,
    registers: [this.registry],
  });
  private readonly transactionFailures = new Counter({
    name: 'punctual_transaction_failures_total',
    help: 'Failed transactions of the node, by reason: epoch (the producer epoch was refused: the coordinator timed the transaction out, or another process registered the node\'s transactional.id), generation (the group moved past the node\'s generation), other.',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly ingestWaiting = new Gauge({
    name: 'punctual_ingest_waiting',
    help: 'Owned partitions whose ingest waits for a target topic the cluster has not created yet: a call failed or is unanswered after 1 s (1 while waiting).',
    labelNames: ['partition'],
    registers: [this.registry],
  });
  private readonly targetTopicRetries = new Counter({
    name: 'punctual_target_topic_retries_total',
    help: 'Attempts to find or create a target topic that failed transiently and are tried again.',
    registers: [this.registry],
  });
  private readonly outcomes = new Counter({
    name: 'punctual_outcomes_total',
    help: 'Status records executors wrote, recorded in the schedules\' history, by status: started, succeeded, retrying (an attempt failed, the next is scheduled), dead-lettered.',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly retries = new Counter({ name: 'punctual_retries_total', help: 'Failed attempts whose retry an executor scheduled (status retrying).', registers: [this.registry] });
  private readonly refusedStatuses = new Counter({ name: 'punctual_status_refused_total', help: 'Records of the status topic skipped because they are not a status value.', registers: [this.registry] });
  private readonly rebalanceCount = new Counter({ name: 'punctual_rebalances_total', help: 'Rebalances (group joins) this node went through.', registers: [this.registry] });
  private readonly owned = new Gauge({ name: 'punctual_owned_partitions', help: 'Partitions of the definitions topic this node owns.', registers: [this.registry] });

  constructor(stores: StoreFigures) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'punctual_schedules',
      help: 'Schedules in the store, by owned partition.',
      labelNames: ['partition'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [partition, store] of stores.partitions()) this.set({ partition: String(partition) }, store.scheduleCount());
      },
    });
    new Gauge({
      name: 'punctual_bucket_occupancy',
      help: 'Due-index entries per time-bucket level (day, hour, minute, second, millisecond = in memory), summed over owned partitions.',
      labelNames: ['level'],
      registers: [this.registry],
      collect() {
        const totals = new Array<number>(LEVEL_NAMES.length).fill(0);
        for (const store of stores.partitions().values()) store.occupancy().forEach((count, level) => (totals[level] = (totals[level] ?? 0) + count));
        totals.forEach((count, level) => this.set({ level: LEVEL_NAMES[level] ?? String(level) }, count));
      },
    });
  }

  fired(partition: number, scheduledAts: number[], committedAt: number): void {
    if (scheduledAts.length === 0) return;
    this.fires.inc({ partition: String(partition) }, scheduledAts.length);
    for (const scheduledAt of scheduledAts) this.lateness.observe(Math.max(0, committedAt - scheduledAt) / 1000);
  }

  controlled(control: ControlKind, passedWhilePaused: number): void {
    this.controls.inc({ control });
    if (passedWhilePaused > 0) this.passedWhilePaused.inc(passedWhilePaused);
  }

  extraFired(partition: number, origin: 'trigger' | 'backfill', count: number): void {
    if (count > 0) this.extraFires.inc({ partition: String(partition), origin }, count);
  }

  skipped(partition: number, count: number): void {
    if (count > 0) this.skippedOccurrences.inc({ partition: String(partition) }, count);
  }

  missed(partition: number, count: number): void {
    if (count > 0) this.missedOccurrences.inc({ partition: String(partition) }, count);
  }

  deadLettered(partition: number, count: number): void {
    if (count > 0) this.deadLetters.inc({ partition: String(partition) }, count);
  }

  ingested(result: IngestResult): void {
    this.ingest.inc({ result });
  }

  restored(path: 'checkpoint' | 'full', seconds: number, records: number): void {
    this.restoreSeconds.observe({ path }, seconds);
    this.restoreRecords.inc(records);
  }

  committed(phases: TransactionPhases): void {
    this.commitSeconds.observe(phases.collect + phases.send + phases.commit);
    for (const [phase, seconds] of Object.entries(phases)) this.phaseSeconds.observe({ phase }, seconds);
  }

  transactionFailed(reason: TransactionFailureReason): void {
    this.transactionFailures.inc({ reason });
  }

  targetTopicWaiting(partition: number, waiting: boolean): void {
    this.ingestWaiting.set({ partition: String(partition) }, waiting ? 1 : 0);
  }

  targetTopicRetried(): void {
    this.targetTopicRetries.inc();
  }

  outcomesRecorded(statuses: ExecutionStatus[]): void {
    for (const status of statuses) {
      this.outcomes.inc({ status });
      if (status === 'retrying') this.retries.inc();
    }
  }

  statusRefused(count: number): void {
    if (count > 0) this.refusedStatuses.inc(count);
  }

  /** A rebalance (a group join) ended with `ownedPartitions`. */
  rebalanced(ownedPartitions: number): void {
    this.rebalanceCount.inc();
    this.owned.set(ownedPartitions);
  }

  /** Partitions were revoked (the first half of a rebalance, or leaving the group). */
  ownedPartitions(count: number): void {
    this.owned.set(count);
  }
}
