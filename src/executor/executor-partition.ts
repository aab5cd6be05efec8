/**
 * An owned partition of a target topic as a participant of the executor's transactions: each share
 * carries the outcome records of an unbroken run of finished events and commits the offset after
 * them, under the group's generation, so an outcome is recorded exactly when its event's offset is.
 *
 * A failed transaction may have committed (its EndTxn's answer may be what was lost). Once the loop
 * has registered a new producer (which ends the old transaction either way), the committed offset is
 * read with require_stable: at or past the share's offset, it committed; below, its events are first
 * in line again and go into a later transaction.
 */
import type { TakenShare, TransactionParticipant } from '../cluster/node-transactions';
import type { Admin, OutgoingRecord, TopicPartition } from '../kafka/port';
import type { Logger } from '../log/logger';
import { PartitionProgress, type FinishedEvent } from './partition-progress';

const STABLE_READ_TIMEOUT_MS = 70_000;
const RESOLVE_RETRY_MS = 500;

export class ExecutorPartition implements TransactionParticipant {
  progress = new PartitionProgress();
  /** Records that go with the next transaction whatever it commits (the `started` statuses), by the offset of their event. */
  private announcements: { offset: number; records: () => OutgoingRecord[] }[] = [];
  private inTransaction = false;
  private revoked = false;

  constructor(
    readonly input: TopicPartition,
    private readonly options: {
      groupId: string;
      admin: Admin;
      logger: Logger;
      /** The outcomes of these offsets are committed. */
      onCommitted: (offsets: number[]) => void;
      /** Outcomes wait again for a transaction. */
      requestCommit: () => void;
    },
  ) {}

  /**
   * Reads where the partition's committed events end (waiting out a transaction open on it), trying
   * again until it works or the partition is revoked. Resolves false when revoked first.
   */
  async start(): Promise<boolean> {
    const read = await this.stableOffsetUntilRevoked('reading the committed offset of a new partition failed; trying again');
    if (read === 'revoked') return false;
    this.progress = new PartitionProgress(read.offset);
    return !this.revoked;
  }

  revoke(): void {
    this.revoked = true;
  }

  get isRevoked(): boolean {
    return this.revoked;
  }

  /** Whether an outcome waits to be committed and no transaction of this partition is under way. */
  get idle(): boolean {
    return !this.inTransaction && !this.progress.hasFinished();
  }

  hasDueWork(): boolean {
    return !this.revoked && !this.inTransaction && (this.progress.hasFinished() || this.announcements.length > 0);
  }

  /**
   * Records for the next transaction that commit no offset: the `started` status of the event at
   * `offset`. Best effort: a transaction that fails drops them (the attempt's end is what is
   * exactly-once), and an event whose end goes into the same transaction needs none (the end says
   * more), so under load most starts cost nothing: `records` is called only for those written.
   */
  announce(offset: number, records: () => OutgoingRecord[]): void {
    if (this.revoked) return;
    this.announcements.push({ offset, records });
    this.options.requestCommit();
  }

  async takeShare(): Promise<TakenShare | undefined> {
    if (!this.hasDueWork()) return undefined;
    const taken = this.progress.take();
    const finished = taken?.finished ?? [];
    const ending = new Set(finished.map((event) => event.offset));
    const announced = this.announcements.splice(0).filter((announcement) => !ending.has(announcement.offset));
    if (!taken && announced.length === 0) return undefined;
    this.inTransaction = true;
    return {
      input: this.input,
      records: [...announced.flatMap((announcement) => announcement.records()), ...finished.flatMap((event) => event.records)],
      // A share of announcements only commits no offset (nothing finished to move it past).
      inputOffset: taken?.nextOffset,
      committed: async () => {
        this.inTransaction = false;
        if (finished.length > 0) this.options.onCommitted(finished.map((event) => event.offset));
      },
      failed: () => {
        if (taken) void this.resolveFailed(taken.finished, taken.nextOffset);
        else this.inTransaction = false;
      },
    };
  }

  private async resolveFailed(finished: FinishedEvent[], nextOffset: number): Promise<void> {
    const read = await this.stableOffsetUntilRevoked('reading the committed offset after a failed transaction failed; trying again');
    if (read !== 'revoked') {
      if (read.offset !== undefined && read.offset >= nextOffset) this.options.onCommitted(finished.map((event) => event.offset));
      else this.progress.giveBack(finished);
    }
    this.inTransaction = false;
    this.options.requestCommit();
  }

  /** The stable committed offset, read again after each failure (logged as `failure`) until it is read or the partition is revoked. */
  private async stableOffsetUntilRevoked(failure: string): Promise<{ offset: number | undefined } | 'revoked'> {
    while (!this.revoked) {
      try {
        return { offset: await this.stableOffset() };
      } catch (error) {
        this.options.logger.warn(failure, { error, partition: this.input.partition });
        await new Promise((resolve) => setTimeout(resolve, RESOLVE_RETRY_MS));
      }
    }
    return 'revoked';
  }

  private async stableOffset(): Promise<number | undefined> {
    const [offset] = await this.options.admin.fetchStableOffsets(this.options.groupId, [this.input], STABLE_READ_TIMEOUT_MS);
    return offset !== undefined && offset.offset >= 0 ? offset.offset : undefined;
  }
}
