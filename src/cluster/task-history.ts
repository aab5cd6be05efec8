/**
 * A partition task's side of the status topic: the status records of its schedules (the status
 * partition with the same number as its definitions partition) merged into each occurrence's
 * outcome, the overlay of outcomes not committed yet, and where it stands in the status partition.
 *
 * Like the schedule states, outcomes reach the store only after the transaction that carried their
 * changelog records and the status offset committed, so the store never holds what Kafka does not,
 * and a status record is recorded once however often it is read.
 */
import type { ScheduleId } from '../domain/definition';
import { parseStatusValue, type ExecutionStatus, type StatusValue } from '../domain/execution-status';
import { mergeStatus, type OccurrenceOutcome } from '../domain/occurrence-outcome';
import type { IncomingRecord, OutgoingRecord, TopicPartition } from '../kafka/port';
import type { Logger } from '../log/logger';
import { outcomeRecord, statusPositionRecord } from '../store/changelog-codec';
import { historyKey, parseHistoryKey } from '../store/key-layout';
import type { OutcomeHistory } from '../store/outcome-history';
import { InputTrack } from './input-track';

/** What a transaction carries from the status side, and what the task applies once it committed. */
export interface HistoryShare {
  outcomes: Map<string, OccurrenceOutcome | null>;
  /** The statuses the share records, for the metrics once it committed. */
  statuses: ExecutionStatus[];
  offset: number | undefined;
  offsetChanged: boolean;
  /** Its changelog records: every outcome changed, and the status position when it moved. */
  changelog: OutgoingRecord[];
}

export class TaskHistory {
  private readonly overlay = new Map<string, OccurrenceOutcome | null>();
  private statuses: ExecutionStatus[] = [];
  private readonly input = new InputTrack();

  constructor(
    /** The committed outcomes in the partition's store. */
    readonly store: OutcomeHistory,
    private readonly changelog: TopicPartition,
    private readonly logger: Logger,
    private readonly refused: (count: number) => void,
  ) {}

  /** The status offset the last commit recorded. */
  get committedOffset(): number | undefined {
    return this.input.committedOffset;
  }

  hasUncommitted(): boolean {
    return this.overlay.size > 0 || this.input.moved();
  }

  /** Merges the status records into their occurrences' outcomes; returns whether anything changed. */
  async apply(records: IncomingRecord[]): Promise<boolean> {
    const statuses: StatusValue[] = [];
    let refused = 0;
    for (const record of records) {
      if (!this.input.admit(record)) continue;
      const parsed = parseStatusValue(record.value);
      if ('refused' in parsed) {
        refused++;
        this.logger.warn('status record skipped', { offset: record.offset, reason: parsed.refused });
      } else statuses.push(parsed.status);
    }
    this.refused(refused);
    if (statuses.length === 0) return this.input.moved();
    const keyOf = (status: StatusValue): string => historyKey(status.id, Date.parse(status.scheduledAt));
    // Runs in the task's serial order: the overlay cannot change during the read.
    const stored = await this.store.getMany([...new Set(statuses.map(keyOf))].filter((key) => !this.overlay.has(key)));
    for (const status of statuses) {
      const key = keyOf(status);
      const previous = this.overlay.has(key) ? this.overlay.get(key) : stored.get(key);
      this.overlay.set(key, mergeStatus(previous ?? undefined, status));
      this.statuses.push(status.status);
    }
    return true;
  }

  /**
   * Deletes the outcomes of `keys` (the retention sweep found them expired), except those changed
   * since the sweep read them. Returns how many it deletes.
   */
  expire(keys: string[]): number {
    let deleted = 0;
    for (const key of keys) {
      if (this.overlay.has(key)) continue;
      this.overlay.set(key, null);
      deleted++;
    }
    return deleted;
  }

  /** A schedule's outcomes as recorded, committed or not, latest occurrence first, at most `limit`. */
  async latest(id: ScheduleId, limit: number): Promise<OccurrenceOutcome[]> {
    // The overlay before the store is read: a commit ending meanwhile writes the store first (see PendingStates.list).
    const overlay = new Map([...this.overlay].filter(([key]) => parseHistoryKey(key)?.id === id));
    const stored = await this.store.latest(id, limit + overlay.size);
    const byKey = new Map<string, OccurrenceOutcome | null>(stored.map((outcome) => [historyKey(outcome.id, Date.parse(outcome.scheduledAt)), outcome]));
    for (const [key, outcome] of overlay) byKey.set(key, outcome);
    return [...byKey]
      .filter((entry): entry is [string, OccurrenceOutcome] => entry[1] !== null)
      .sort(([a], [b]) => (a < b ? 1 : -1))
      .slice(0, limit)
      .map(([, outcome]) => outcome);
  }

  /** What the next transaction carries; the overlay stays readable until committed() says the store has it. */
  takeForCommit(): HistoryShare {
    const outcomes = new Map(this.overlay);
    const offset = this.input.nextOffset;
    const offsetChanged = this.input.moved();
    const changelog = [...outcomes].map(([key, outcome]) => outcomeRecord(this.changelog.topic, this.changelog.partition, key, outcome));
    if (offsetChanged && offset !== undefined) changelog.push(statusPositionRecord(this.changelog.topic, this.changelog.partition, offset));
    const statuses = this.statuses.splice(0);
    return { outcomes, statuses, offset, offsetChanged, changelog };
  }

  /** The transaction that carried `share` committed, and the store holds its outcomes now. */
  committed(share: HistoryShare): void {
    this.input.committed(share.offsetChanged ? share.offset : undefined);
    // Only what the share carried: outcomes merged since it was taken wait for the next one.
    for (const [key, outcome] of share.outcomes) if (this.overlay.get(key) === outcome) this.overlay.delete(key);
  }

  keepForReplay(records: IncomingRecord[]): void {
    this.input.keepForReplay(records);
  }

  /** Drops everything pending; returns the status records applied since `offset`, to apply again. */
  restartAt(offset: number | undefined): IncomingRecord[] {
    this.overlay.clear();
    this.statuses = [];
    return this.input.restartAt(offset);
  }
}
