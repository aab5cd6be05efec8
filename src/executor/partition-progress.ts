/**
 * One owned partition of an executor: the events started and finished, and what may be committed.
 * An offset is committed only past events whose outcome goes into the same transaction, and only
 * for an unbroken run from the last committed offset: an outcome recorded past an event still
 * running would be recorded again when that event is delivered again after a crash.
 */
import type { OutgoingRecord } from '../kafka/port';

export class PartitionProgress {
  /** Offsets started and not yet taken for a commit, with their records once finished. */
  private readonly pending = new Map<number, OutgoingRecord[] | 'running'>();
  private readonly order: number[] = [];
  /** Next offset to commit: everything below it is committed or in a transaction under way. */
  private committedUpTo: number | undefined;

  constructor(committedOffset?: number) {
    this.committedUpTo = committedOffset;
  }

  /** The last offset started: the consumer delivers a partition's records again from the committed offset after a rebalance that kept it here. */
  private lastStarted: number | undefined;

  /** Whether `offset` was started already (below what is committed, or started in this ownership). */
  isBehind(offset: number): boolean {
    return (this.committedUpTo !== undefined && offset < this.committedUpTo) || (this.lastStarted !== undefined && offset <= this.lastStarted);
  }

  started(offset: number): void {
    if (this.isBehind(offset)) throw new Error(`offset ${offset} was started already (last started ${this.lastStarted}, committed up to ${this.committedUpTo})`);
    this.committedUpTo ??= offset;
    this.lastStarted = offset;
    this.pending.set(offset, 'running');
    this.order.push(offset);
  }

  finished(offset: number, records: OutgoingRecord[]): void {
    if (this.pending.get(offset) === 'running') this.pending.set(offset, records);
  }

  /** Whether an unbroken run of finished events waits to be committed. */
  hasFinished(): boolean {
    const first = this.order[0];
    return first !== undefined && Array.isArray(this.pending.get(first));
  }

  get running(): number {
    let count = 0;
    for (const state of this.pending.values()) if (state === 'running') count++;
    return count;
  }

  /** Takes the unbroken run of finished events, in offset order, and the offset to commit after them. */
  take(): { finished: FinishedEvent[]; nextOffset: number } | undefined {
    const finished: FinishedEvent[] = [];
    while (this.order.length > 0) {
      const offset = this.order[0] as number;
      const records = this.pending.get(offset);
      if (!Array.isArray(records)) break;
      finished.push({ offset, records });
      this.pending.delete(offset);
      this.order.shift();
    }
    const last = finished.at(-1);
    if (!last) return undefined;
    this.committedUpTo = last.offset + 1;
    return { finished, nextOffset: last.offset + 1 };
  }

  /** The transaction that carried `finished` did not commit: those events are first in line again. */
  giveBack(finished: FinishedEvent[]): void {
    for (const { offset, records } of [...finished].reverse()) {
      this.pending.set(offset, records);
      this.order.unshift(offset);
    }
    const first = finished[0];
    if (first) this.committedUpTo = first.offset;
  }
}

export interface FinishedEvent {
  offset: number;
  records: OutgoingRecord[];
}
