/**
 * Everything about one owned partition of the definitions topic: its LevelDB store, its changelog
 * partition, its in-memory wake list, and its share of the node's transactions (node-transactions.ts).
 *
 * Start: read the partition's committed offset with require_stable (an open transaction of the
 * previous owner is waited out), commit a restore barrier to the changelog under the group's
 * generation, restore the store up to it, load the occurrences due in the next seconds into memory,
 * then run.
 *
 * Ingest applies definitions to an overlay of uncommitted states. When fires are due or ingest work
 * reaches its deadline, the task asks the node's transaction loop to run, which takes a share from
 * every task: the due execution events, dead letters, the changelog records of every state changed
 * since the last commit, and the input offset. Fires commit at once; ingest-only work waits up to the
 * commit interval, unless another task's work starts a transaction first. Only after Kafka commits
 * are the states written to the store, atomically with the checkpoint, so the store never holds
 * what Kafka does not.
 *
 * A transaction that fails is never assumed to have failed: its commit may have reached the
 * coordinator. The task then rebuilds itself from the changelog as a new owner would, and applies
 * again the definitions records it read after the input position the changelog recorded.
 */
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import type { Clock, CancelTimer } from '../domain/clock';
import type { ScheduleId } from '../domain/definition';
import { fireAtOfState, hasWorkLeft, type ScheduleState } from '../domain/schedule-state';
import { MEMORY_LEVEL, placeOccurrence } from '../domain/time-buckets';
import { MinHeap } from '../firing/min-heap';
import { controlOutcome } from '../ingest/apply-control';
import { upsertOutcome } from '../ingest/apply-definition';
import { deadLetter } from '../ingest/dead-letter';
import { decodeDefinition, type DefinitionCommand } from '../ingest/decode-definition';
import type { IncomingRecord, KafkaPort, RecordMetadata, TopicPartition } from '../kafka/port';
import type { Logger } from '../log/logger';
import { noTaskMetrics, type TaskMetrics } from '../metrics/metrics';
import { barrierRecord, changelogRecord, inputPositionRecord } from '../store/changelog-codec';
import { OutcomeHistory } from '../store/outcome-history';
import type { OccurrenceOutcome } from '../domain/occurrence-outcome';
import type { CalendarLookup } from '../domain/calendar';
import { reevaluated } from '../firing/reevaluate';
import { ScheduleStore, storeWriteOf, type DueEntry, type LevelDatabase } from '../store/schedule-store';
import { collectFires, type FireBatch, type FireCollection } from './fire-collector';
import type { NodeTransactions, TakenShare, TransactionParticipant, TransactionShare } from './node-transactions';
import { PendingStates, type StateLookup } from './pending-states';
import { checkpointAt, restoreStore, type RestoreResult } from './restore';
import { TargetTopicWait } from './target-topic-wait';
import type { TargetTopics } from './target-topics';
import { TaskLifecycle } from './task-state';
import { TaskHistory, type HistoryShare } from './task-history';
import { expiredOutcomes, type HistoryRetention } from './history-retention';

/** The calendars a task reads (the node's CalendarTable). */
export interface CalendarSource {
  lookup: CalendarLookup;
  /** How many exist: with none, nothing needs finding again. */
  readonly size: number;
  /** Resolves once everything the calendars topic holds now has been read. */
  caughtUp?(timeoutMs: number): Promise<void>;
}

/** How long ingest waits for the calendars to catch up before it refuses a definition naming an unknown one. */
const CALENDAR_CATCH_UP_MS = 5_000;

const NO_CALENDARS: CalendarSource = { lookup: () => undefined, size: 0 };
/** Schedules read per page when finding next occurrences again. */
const REEVALUATE_PAGE = 1_000;

/** What a task needs of the node's transaction loop. */
export type TaskTransactions = Pick<NodeTransactions, 'transactionalId' | 'register' | 'unregister' | 'request' | 'barrier'>;

export interface PartitionTaskOptions {
  input: TopicPartition;
  /** The status topic: the task records the outcomes of its partition's schedules from the partition with its number. */
  statusTopic: string;
  /** How much of each schedule's history the task keeps. */
  history: HistoryRetention;
  changelogTopic: string;
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
  /** The node's one transaction loop. */
  transactions: TaskTransactions;
  /**
   * The input partition's committed offset read with require_stable (undefined when nothing is
   * committed): it waits while an open transaction of a previous owner holds the offset.
   */
  committedInputOffset: () => Promise<number | undefined>;
  /** The exclusion calendars as this node has read them; none when not given. */
  calendars?: CalendarSource;
  /** Opens the store's database; LevelDB (classic-level) unless a test passes another abstract-level. */
  openDatabase?: (directory: string) => LevelDatabase;
  metrics?: TaskMetrics;
}

export interface TaskStats {
  fired: number;
  missed: number;
  deadLettered: number;
  restore?: RestoreResult;
}

const REBUILD_BACKOFF_MS = 500;
/** Uncommitted schedule changes after which ingest commits without waiting for the commit interval. */
const MAX_UNCOMMITTED_STATES = 5_000;
/** Most expired outcomes one sweep deletes (the rest go in the next one, soon after). */
const SWEEP_BATCH = 5_000;
/** Longest time between two retention sweeps, and the pause when one left work behind. */
const SWEEP_INTERVAL_MS = 10 * 60_000;
const SWEEP_AGAIN_MS = 1_000;

/** A definitions record decoded, with the reason its target topic was refused when it was. */
interface PreparedRecord {
  record: IncomingRecord;
  command: DefinitionCommand;
  topicRefused?: string;
}

/** What a share carries that the task applies once the transaction committed. */
interface ShareContent {
  fired: FireBatch;
  changes: Map<ScheduleId, ScheduleState | null>;
  history: HistoryShare;
  deadLetters: number;
  offset: number | undefined;
  offsetChanged: boolean;
  changelogRecords: number;
  takenAt: number;
}

export class PartitionTask implements TransactionParticipant {
  readonly lifecycle: TaskLifecycle;
  readonly stats: TaskStats = { fired: 0, missed: 0, deadLettered: 0 };
  private readonly logger: Logger;
  private readonly store: ScheduleStore;
  private readonly pending: PendingStates;
  private readonly history: TaskHistory;
  private readonly status: TopicPartition;
  private cancelSweep: CancelTimer | undefined;
  private readonly changelog: TopicPartition;
  private readonly wakeList = new MinHeap<ScheduleId>();
  private readonly topicWait: TargetTopicWait;
  private readonly fires: FireCollection;
  private exclusive: Promise<void> = Promise.resolve();
  /** Set while the task rebuilds after a failed transaction: it has no share to give meanwhile. */
  private rebuilding = false;
  private cancelWake: CancelTimer | undefined;
  private readonly metrics: TaskMetrics;
  private readonly calendars: CalendarSource;

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
    const db = open(directory);
    this.store = new ScheduleStore(db);
    this.pending = new PendingStates(this.store);
    this.status = { topic: options.statusTopic, partition: input.partition };
    this.history = new TaskHistory(new OutcomeHistory(db), this.changelog, this.logger, (count) => this.metrics.statusRefused(count));
    this.topicWait = new TargetTopicWait({ targetTopics: options.targetTopics, clock: options.clock, logger: this.logger, metrics: this.metrics, partition: input.partition, task: this.lifecycle.task });
    this.calendars = options.calendars ?? NO_CALENDARS;
    this.fires = { wakeList: this.wakeList, statesOf: (ids) => this.pending.statesOf(ids), misfireThresholdMs: options.misfireThresholdMs, logger: this.logger, calendars: this.calendars.lookup };
  }

  /** Waits out the previous owner, restores the store, then starts firing. */
  async start(): Promise<void> {
    this.lifecycle.transition('restoring');
    const { clock } = this.options;
    const began = clock.now();
    // The committed offset (which may first fence a dead owner's transaction) does not need the store.
    const [committed] = await Promise.all([this.options.committedInputOffset(), this.store.open()]);
    const offsetKnown = clock.now();
    const position = await this.restore(committed);
    const restored = clock.now();
    this.pending.restartAt(position.inputOffset);
    this.history.restartAt(position.statusOffset);
    await this.loadDue();
    // A calendar may have changed while no task of this partition ran to hear of it.
    await this.reevaluateNow(undefined);
    this.lifecycle.transition('running');
    this.options.transactions.register(this);
    const startMs = { offsetMs: offsetKnown - began, restoreMs: restored - offsetKnown, loadMs: clock.now() - restored };
    this.logger.info('partition task running', { schedules: this.store.scheduleCount(), ...startMs });
    void this.rearm();
    this.sweepLater(this.sweepIntervalMs);
  }

  /** Records status records of this partition's schedules into their history. */
  async ingestStatus(records: IncomingRecord[]): Promise<void> {
    await this.serially(async () => {
      if (await this.history.apply(records)) this.commitIngestBy(this.options.clock.now() + this.options.commitIntervalMs);
    });
    await this.rearm();
  }

  /** A schedule's recorded occurrence outcomes (committed or not), latest first. */
  outcomes(id: ScheduleId, limit: number): Promise<OccurrenceOutcome[]> {
    return this.history.latest(id, limit);
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

  /**
   * Finds again the next occurrence of every schedule that excludes one of the calendars `names`
   * (they changed); the changes commit like ingest's. Returns how many schedules moved.
   */
  async reevaluate(names: string[]): Promise<number> {
    let moved = 0;
    await this.serially(async () => {
      if (this.lifecycle.is('running') && !this.rebuilding) moved = await this.reevaluateNow(names);
    });
    await this.rearm();
    return moved;
  }

  /** The target topic ingest is waiting for, if any: the task is not ready meanwhile. */
  waitingForTargetTopic(): string | undefined {
    return this.topicWait.waitingFor;
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

  /** Stops firing, lets a share in an open transaction settle, closes the store. Idempotent. */
  async close(): Promise<void> {
    if (this.lifecycle.is('closing', 'closed')) return;
    this.lifecycle.transition('closing');
    this.disarm();
    this.cancelSweep?.();
    this.topicWait.close();
    // Its barrier, if one waits, fails now: the rebuild that waits for it ends.
    this.options.transactions.unregister(this);
    await this.exclusive;
    await this.store.close().catch((error: unknown) => this.logger.warn('store close failed', { error }));
    this.lifecycle.transition('closed');
    this.logger.info('partition task closed', { ...this.stats, restore: undefined });
  }

  hasDueWork(now: number): boolean {
    if (!this.lifecycle.is('running') || this.rebuilding) return false;
    const ingestDue = this.pending.ingestDeadline !== undefined && this.pending.ingestDeadline <= now;
    return ingestDue || (this.wakeList.peekKey() ?? Infinity) <= now;
  }

  takeShare(now: number): Promise<TakenShare | undefined> {
    if (!this.lifecycle.is('running') || this.rebuilding) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      void this.serially(async () => {
        let content: ShareContent | undefined;
        let share: TransactionShare | undefined;
        try {
          if (this.lifecycle.is('running') && !this.rebuilding) ({ content, share } = (await this.collectShare(now)) ?? {});
        } catch (error) {
          if (this.lifecycle.is('running')) this.logger.error('collecting the share of a transaction failed', { error });
        }
        if (!content || !share) return resolve(undefined);
        // The task's next step waits until the transaction settled this share.
        const outcome = await new Promise<{ metadata: RecordMetadata[]; committedAt: number } | { error: unknown }>((settle) => {
          const failed = (error: unknown): void => {
            // At once: from here on the loop must not wait for a share of this task (its rebuild waits for the loop).
            this.rebuilding = true;
            settle({ error });
          };
          resolve({ ...share, committed: async (metadata, committedAt) => settle({ metadata, committedAt }), failed });
        });
        if ('error' in outcome) return this.recover();
        try {
          await this.applyCommitted(content, outcome.metadata, outcome.committedAt);
        } catch (error) {
          if (!this.lifecycle.is('running')) return;
          // Kafka holds what the store could not take: the changelog tells the task where it stands.
          this.logger.error('writing a committed share to the store failed; rebuilding from the changelog', { error });
          await this.recover();
        }
      }).finally(() => void this.rearm());
    });
  }

  /** What this task puts into the next transaction: due fires and everything ingest applied. */
  private async collectShare(now: number): Promise<{ content: ShareContent; share: TransactionShare } | undefined> {
    this.remember(await this.store.promote(now));
    const fired = await collectFires(this.fires, now);
    if (fired.changes.size === 0 && !this.pending.hasUncommittedIngest() && !this.history.hasUncommitted()) return undefined;
    const ingested = this.pending.takeForCommit();
    const history = this.history.takeForCommit();
    const changes = new Map([...ingested.changes, ...fired.changes]);
    const { deadLetters, offset } = ingested;
    const offsetChanged = offset !== undefined && offset !== this.pending.committedOffset;
    const changelog = [...changes].map(([id, state]) => changelogRecord(this.changelog.topic, this.changelog.partition, id, state));
    if (offsetChanged) changelog.push(inputPositionRecord(this.changelog.topic, this.changelog.partition, offset));
    changelog.push(...history.changelog);
    const content: ShareContent = { fired, changes, history, deadLetters: deadLetters.length, offset, offsetChanged, changelogRecords: changelog.length, takenAt: now };
    const statusOffset = history.offset ?? this.history.committedOffset;
    // Every share commits its partition's offset, changed or not: that is what fences it by the generation.
    const share: TransactionShare = {
      input: this.options.input,
      records: [...fired.events, ...deadLetters, ...changelog],
      inputOffset: offset ?? this.pending.committedOffset,
      ...(statusOffset === undefined ? {} : { otherOffsets: [{ ...this.status, offset: statusOffset }] }),
      moreDue: fired.moreDue,
    };
    return { content, share };
  }

  /** The transaction that carried the share committed: the store takes its states and the overlay lets them go. */
  private async applyCommitted(content: ShareContent, metadata: RecordMetadata[], committedAt: number): Promise<void> {
    const { fired, changes, history, offset, offsetChanged } = content;
    const partition = this.options.input.partition;
    this.metrics.fired(partition, fired.scheduledAts, committedAt);
    this.metrics.missed(partition, fired.missed);
    this.metrics.skipped(partition, fired.skipped);
    this.metrics.extraFired(partition, 'trigger', fired.extras.trigger);
    this.metrics.extraFired(partition, 'backfill', fired.extras.backfill);
    this.metrics.deadLettered(partition, content.deadLetters);
    // This task writes its changelog partition's records of a transaction together, so the store
    // holds everything up to the first offset after them (or less, which only makes a restore
    // read some of its own records again, if another producer's aborted records came between).
    const first = metadata.find((m) => m.topic === this.changelog.topic && m.partition === this.changelog.partition)?.offset;
    const inputOffset = offsetChanged ? offset : this.pending.committedOffset;
    const statusOffset = history.offsetChanged ? history.offset : this.history.committedOffset;
    const checkpoint = first === undefined || content.changelogRecords === 0 ? undefined : checkpointAt(this.changelog, first + content.changelogRecords, inputOffset, statusOffset);
    // The store first, then the overlay is cleared: a read finds the states in one or the other.
    this.remember(await this.store.apply({ ...storeWriteOf(changes), outcomes: history.outcomes, ...(checkpoint ? { checkpoint } : {}) }, content.takenAt));
    this.pending.committed(offsetChanged ? offset : undefined);
    this.history.committed(history);
    this.metrics.outcomesRecorded(history.statuses);
    this.stats.fired += fired.events.length;
    this.stats.missed += fired.missed;
    this.stats.deadLettered += content.deadLetters;
  }

  /**
   * Restores the store up to a barrier of this node's; returns the input positions it recorded, where
   * ingest goes on. The barrier commits the partition's stable committed offset again, under the
   * group's generation, so it commits only while this node owns the partition.
   */
  private async restore(committed: number | undefined): Promise<{ inputOffset: number | undefined; statusOffset: number | undefined }> {
    const owner = this.options.transactions.transactionalId;
    this.stats.restore = await restoreStore({
      store: this.store,
      port: this.options.port,
      changelog: this.changelog,
      commitBarrier: async () => {
        const records = [barrierRecord(this.changelog.topic, this.changelog.partition, owner)];
        // A partition nothing was committed for yet commits 0 (where its consumer starts anyway), so this barrier is fenced too.
        const metadata = await this.options.transactions.barrier({ input: this.options.input, records, inputOffset: committed ?? 0 });
        const offset = metadata.find((m) => m.topic === this.changelog.topic && m.partition === this.changelog.partition)?.offset;
        if (offset === undefined) throw new Error(`no offset reported for the restore barrier on ${this.changelog.topic}-${this.changelog.partition}`);
        return offset;
      },
      clock: this.options.clock,
      logger: this.logger,
    });
    const { wiped, durationMs, records, inputOffset, statusOffset } = this.stats.restore;
    this.metrics.restored(wiped ? 'full' : 'checkpoint', durationMs / 1000, records);
    return { inputOffset: inputOffset ?? committed, statusOffset };
  }

  /** Loads the occurrences due in the next seconds into the wake list. */
  private async loadDue(): Promise<void> {
    const now = this.options.clock.now();
    this.remember(await this.store.promote(now));
    this.remember(await this.store.memoryEntries());
  }

  /** Decodes the records and waits until every target topic they name exists or was refused for good. */
  private async prepare(records: IncomingRecord[]): Promise<PreparedRecord[]> {
    const decode = (record: IncomingRecord): DefinitionCommand => decodeDefinition(record, this.options.maxDefinitionBytes, this.calendars.lookup);
    const prepared: PreparedRecord[] = records.map((record) => ({ record, command: decode(record) }));
    // A calendar written just before the definition that names it may not have reached this node yet.
    const unknownCalendar = prepared.filter(({ command }) => command.kind === 'invalid' && command.field.startsWith('exclude.'));
    if (unknownCalendar.length > 0 && this.calendars.caughtUp) {
      await this.calendars.caughtUp(CALENDAR_CATCH_UP_MS).catch((error: unknown) => this.logger.warn('reading the calendars up to their end failed; the definitions naming unknown ones are refused', { error }));
      for (const entry of unknownCalendar) entry.command = decode(entry.record);
    }
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
    this.commitIngestBy(this.pending.size >= MAX_UNCOMMITTED_STATES ? now : now + this.options.commitIntervalMs);
  }

  /** Uncommitted ingest work (definitions, outcomes) commits by `deadline` at the latest. */
  private commitIngestBy(deadline: number): void {
    this.pending.ingestDeadline = Math.min(this.pending.ingestDeadline ?? Infinity, deadline);
  }

  /** Every 10 minutes, or more often when the retention is shorter. */
  private get sweepIntervalMs(): number {
    return Math.min(SWEEP_INTERVAL_MS, this.options.history.retentionMs);
  }

  /** Runs the history's retention sweep after `delayMs`, and again and again while the task runs. */
  private sweepLater(delayMs: number): void {
    this.cancelSweep = this.options.clock.setTimer(delayMs, () => {
      this.cancelSweep = undefined;
      void this.sweep().then((more) => {
        if (this.lifecycle.is('running')) this.sweepLater(more ? SWEEP_AGAIN_MS : this.sweepIntervalMs);
      });
    });
  }

  /** Deletes the outcomes the retention no longer keeps; returns whether some are left for the next sweep. */
  private async sweep(): Promise<boolean> {
    try {
      const { keys, more } = await expiredOutcomes(this.history.store, this.options.history, this.options.clock.now(), SWEEP_BATCH);
      if (keys.length === 0) return false;
      await this.serially(async () => {
        if (!this.lifecycle.is('running') || this.rebuilding) return;
        if (this.history.expire(keys) > 0) this.commitIngestBy(this.options.clock.now());
      });
      await this.rearm();
      return more;
    } catch (error) {
      if (this.lifecycle.is('running')) this.logger.error('the history retention sweep failed', { error });
      return false;
    }
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
    if (command.kind === 'control') return this.applyControl(record, command, known, set);
    if (topicRefused !== undefined) return this.reject(record, topicRefused);
    const { definition } = command;
    const previous = known(definition.id);
    const outcome = upsertOutcome(previous, definition, record, this.calendars.lookup);
    this.metrics.ingested(outcome.kind === 'new-run' ? 'applied' : 'unchanged');
    if (outcome.kind === 'already-applied') return;
    const next = outcome.state;
    if (!hasWorkLeft(next)) {
      // No occurrence at all (an `at` outside start/end) and no triggered fire waiting: nothing to keep.
      if (previous) set(definition.id, null);
      return;
    }
    set(definition.id, next);
    const fireAt = fireAtOfState(next);
    if (fireAt !== null) this.remember([{ id: definition.id, dueAt: fireAt }]);
  }

  private applyControl(record: IncomingRecord, { id, command }: Extract<DefinitionCommand, { kind: 'control' }>, known: StateLookup, set: (id: ScheduleId, state: ScheduleState | null) => void): void {
    const outcome = controlOutcome(known(id), id, command, record, this.options.clock.now(), this.calendars.lookup);
    if (outcome.kind === 'already-applied') return;
    if (outcome.kind === 'refused') return this.reject(record, `${outcome.field}: ${outcome.reason}`);
    set(id, outcome.state);
    this.metrics.controlled(command.control, outcome.passed);
    this.logger.info('control applied', { id, control: command.control, ...(outcome.passed > 0 ? { passedWhilePaused: outcome.passed } : {}) });
    const fireAt = fireAtOfState(outcome.state);
    if (fireAt !== null) this.remember([{ id, dueAt: fireAt }]);
  }

  /** reevaluate() inside a step of the task; all schedules that exclude any calendar when `names` is undefined. */
  private async reevaluateNow(names: string[] | undefined): Promise<number> {
    if (this.calendars.size === 0 && names === undefined) return 0;
    const uses = (state: ScheduleState): boolean => (state.definition.exclude ?? []).some((name) => names === undefined || names.includes(name));
    const now = this.options.clock.now();
    let moved = 0;
    for (let after: string | undefined; ; ) {
      const page = await this.pending.list('', after, REEVALUATE_PAGE, uses);
      for (const state of page) {
        const next = reevaluated(state, this.calendars.lookup, now);
        if (next === state) continue;
        this.pending.set(next.definition.id, next);
        const fireAt = fireAtOfState(next);
        if (fireAt !== null) this.remember([{ id: next.definition.id, dueAt: fireAt }]);
        moved++;
      }
      if (page.length < REEVALUATE_PAGE) break;
      after = page[page.length - 1]?.definition.id;
    }
    if (moved > 0) {
      this.commitIngestBy(now);
      this.logger.info('next occurrences found again after calendars changed', { calendars: names ?? 'all', moved });
    }
    return moved;
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

  /** Arms one timer for the earliest of: a due occurrence, a bucket opening, the ingest deadline. */
  private async rearm(): Promise<void> {
    if (!this.lifecycle.is('running') || this.rebuilding) return;
    let nextOpen: number | undefined;
    try {
      nextOpen = await this.store.nextOpenTime();
    } catch (error) {
      // The task was closed while looking: nothing to arm.
      if (this.lifecycle.is('running')) this.logger.error('reading the due index failed', { error });
      return;
    }
    const candidates = [this.wakeList.peekKey(), this.pending.ingestDeadline, nextOpen].filter((t): t is number => t !== undefined);
    if (candidates.length === 0 || !this.lifecycle.is('running') || this.rebuilding) return;
    const at = Math.min(...candidates);
    this.disarm();
    this.cancelWake = this.options.clock.setTimer(at - this.options.clock.now(), () => {
      this.cancelWake = undefined;
      // A bucket opening only moves entries into memory: promoting is the share's first step, so the
      // loop is asked either way, and a task with nothing due then gives nothing.
      this.promoteOrRequest();
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

  /** A timer went off: what it woke for is due now, or a bucket opened that may hold due entries. */
  private promoteOrRequest(): void {
    if (this.hasDueWork(this.options.clock.now())) return this.options.transactions.request();
    void this.serially(async () => {
      if (!this.lifecycle.is('running')) return;
      this.remember(await this.store.promote(this.options.clock.now()));
    })
      .catch((error: unknown) => this.logger.error('promoting due entries failed', { error }))
      .finally(() => {
        if (this.hasDueWork(this.options.clock.now())) this.options.transactions.request();
        else void this.rearm();
      });
  }

  /**
   * After a failed transaction nothing is assumed about its outcome: an EndTxn whose answer was lost
   * may have committed. The node's loop has already registered a new producer (which made the
   * coordinator complete or abort what the old one left); the task rebuilds from the changelog, and
   * until that succeeds it fires nothing. A rebuild fails while the node is not the partition's
   * owner any more (its barrier is refused for the generation) and is tried again until the group
   * revokes the partition, which closes the task.
   */
  private async recover(): Promise<void> {
    this.rebuilding = true;
    this.disarm();
    try {
      while (this.lifecycle.is('running')) {
        try {
          await this.rebuild();
          return;
        } catch (error) {
          if (!this.lifecycle.is('running')) return;
          this.logger.warn('rebuilding from the changelog failed; trying again', { error, retryInMs: REBUILD_BACKOFF_MS });
          await new Promise((resolve) => this.options.clock.setTimer(REBUILD_BACKOFF_MS, () => resolve(undefined)));
        }
      }
    } finally {
      this.rebuilding = false;
    }
  }

  /**
   * The task's state as a new owner would find it: the store restored up to a fresh barrier, the
   * wake list reloaded from it, and the definitions records read since the recorded input position
   * applied again. What the failed transaction held is in the changelog if it committed, and is
   * applied again if it did not.
   */
  private async rebuild(): Promise<void> {
    const position = await this.restore(await this.options.committedInputOffset());
    const replay = this.pending.restartAt(position.inputOffset);
    const replayStatus = this.history.restartAt(position.statusOffset);
    this.wakeList.clear();
    try {
      await this.loadDue();
      if (replay.length > 0) await this.applyPrepared(await this.prepare(replay));
      if (replayStatus.length > 0 && (await this.history.apply(replayStatus))) this.commitIngestBy(this.options.clock.now() + this.options.commitIntervalMs);
      // What a calendar change moved and the failed transaction held is found again.
      await this.reevaluateNow(undefined);
    } catch (error) {
      // The next attempt restores again and needs every record since the positions.
      this.pending.keepForReplay(replay);
      this.history.keepForReplay(replayStatus);
      throw error;
    }
    this.logger.info('partition task rebuilt from the changelog', { ...position, replayed: replay.length, replayedStatus: replayStatus.length });
  }
}
