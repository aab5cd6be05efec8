/**
 * Where a task stands in one input partition (definitions or status): the next offset to apply, the
 * position the last commit recorded, and the records applied since then, which a rebuild after a
 * failed transaction applies again.
 */
import type { IncomingRecord } from '../kafka/port';

export class InputTrack {
  /** Records applied since the last commit. */
  private applied: IncomingRecord[] = [];
  /** The next offset to apply. */
  nextOffset: number | undefined;
  /** The position the last commit recorded. */
  committedOffset: number | undefined;

  /**
   * Whether `record` is new input, and if so takes note of it: records below the committed position
   * were applied already (the consumer may start before it: after a rebalance it resumes from the
   * group's committed offset).
   */
  admit(record: IncomingRecord): boolean {
    if (this.nextOffset !== undefined && record.offset < this.nextOffset) return false;
    // Without a recorded position the consumer resumes at the committed offset, so the first record shows where that is.
    this.committedOffset ??= record.offset;
    this.nextOffset = record.offset + 1;
    this.applied.push(record);
    return true;
  }

  /** Whether the position moved since the last commit. */
  moved(): boolean {
    return this.nextOffset !== undefined && this.nextOffset !== this.committedOffset;
  }

  /** A transaction committed the position `offset` (undefined: it committed no move). */
  committed(offset: number | undefined): void {
    if (offset !== undefined) this.committedOffset = offset;
    this.applied = [];
  }

  /** A rebuild failed: the next one must apply `records` again, whatever this one got to. */
  keepForReplay(records: IncomingRecord[]): void {
    this.applied = [...records];
  }

  /** Restarts from the recorded position `offset`; returns the records applied since then, to apply again. */
  restartAt(offset: number | undefined): IncomingRecord[] {
    const replay = this.applied.filter((record) => offset === undefined || record.offset >= offset);
    this.applied = [];
    this.nextOffset = offset;
    this.committedOffset = offset;
    return replay;
  }
}
