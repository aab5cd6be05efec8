/**
 * What a partition's ingest applied and its commit loop has not committed yet: the overlay of
 * schedule states (null marks a deletion), the dead letters, the definitions records applied since
 * the last commit, and the input position. Every read of a state goes through here, the overlay
 * first and then the store, so reads agree with the commit loop, which writes the store before it
 * clears the overlay.
 */
import type { ScheduleId } from '../domain/definition';
import type { ScheduleState } from '../domain/schedule-state';
import type { IncomingRecord, OutgoingRecord } from '../kafka/port';
import type { ScheduleStore } from '../store/schedule-store';
import { InputTrack } from './input-track';

export type StateLookup = (id: ScheduleId) => ScheduleState | undefined;

export class PendingStates {
  private readonly overlay = new Map<ScheduleId, ScheduleState | null>();
  private deadLetters: OutgoingRecord[] = [];
  /** Where ingest stands in the definitions partition. */
  private readonly input = new InputTrack();
  /** When uncommitted ingest work must be committed at the latest. */
  ingestDeadline: number | undefined;

  constructor(private readonly store: ScheduleStore) {}

  /** The next definitions offset to apply. */
  get nextOffset(): number | undefined {
    return this.input.nextOffset;
  }

  /** The input position the last commit recorded. */
  get committedOffset(): number | undefined {
    return this.input.committedOffset;
  }

  get size(): number {
    return this.overlay.size;
  }

  /** The states of `ids` as applied, committed or not, in one store read for those not pending. */
  async statesOf(ids: Iterable<ScheduleId>): Promise<StateLookup> {
    // The overlay as it is before the store is read (see list()).
    const overlay = new Map(this.overlay);
    const stored = await this.store.getMany([...new Set(ids)].filter((id) => !overlay.has(id)));
    return (id) => (overlay.has(id) ? (overlay.get(id) ?? undefined) : stored.get(id));
  }

  async stateOf(id: ScheduleId): Promise<ScheduleState | undefined> {
    return (await this.statesOf([id]))(id);
  }

  /**
   * States as applied, ids starting with `prefix` after `after`, in id order: the first `limit` that
   * `accepts` takes. The store is read page by page until the page is full, so a filter (another
   * tenant's schedules) never shortens it.
   */
  async list(prefix: string, after: string | undefined, limit: number, accepts: (state: ScheduleState) => boolean = () => true): Promise<ScheduleState[]> {
    // The overlay as it is before the store is read: a commit that ends during the read writes its
    // states to the store and then clears the overlay, and the list must find them in one or the other.
    const overlay = new Map(this.overlay);
    const found = new Map<ScheduleId, ScheduleState>();
    for (const [id, state] of overlay) {
      if (state && id.startsWith(prefix) && (after === undefined || id > after) && accepts(state)) found.set(id, state);
    }
    for (let cursor = after; ; ) {
      const page = await this.store.list(prefix, cursor, limit);
      for (const state of page) {
        if (!overlay.has(state.definition.id) && accepts(state)) found.set(state.definition.id, state);
      }
      const last = page.at(-1)?.definition.id;
      if (page.length < limit || last === undefined) break;
      cursor = last;
      // Every store id up to the cursor is read: enough once `limit` of the found ones come before it.
      if ([...found.keys()].filter((id) => id <= last).length >= limit) break;
    }
    return [...found.values()].sort((a, b) => (a.definition.id < b.definition.id ? -1 : 1)).slice(0, limit);
  }

  set(id: ScheduleId, state: ScheduleState | null): void {
    this.overlay.set(id, state);
  }

  /** Whether `record` is new input (see InputTrack.admit). */
  admit(record: IncomingRecord): boolean {
    return this.input.admit(record);
  }

  deadLetter(record: OutgoingRecord): void {
    this.deadLetters.push(record);
  }

  hasUncommittedIngest(): boolean {
    return this.overlay.size > 0 || this.deadLetters.length > 0 || this.input.moved();
  }

  /** What the next transaction carries from ingest; the dead letters are handed over once. */
  takeForCommit(): { changes: Map<ScheduleId, ScheduleState | null>; deadLetters: OutgoingRecord[]; offset: number | undefined } {
    return { changes: new Map(this.overlay), deadLetters: this.deadLetters.splice(0), offset: this.nextOffset };
  }

  /** A transaction committed what takeForCommit() gave it, and the store holds it now. */
  committed(offset: number | undefined): void {
    this.input.committed(offset);
    this.overlay.clear();
    this.ingestDeadline = undefined;
  }

  /** A rebuild failed: the next one must apply `records` again, whatever this one got to. */
  keepForReplay(records: IncomingRecord[]): void {
    this.input.keepForReplay(records);
  }

  /**
   * Drops everything pending: the task restarts from the input position `inputOffset` its changelog
   * recorded. Returns the records applied since then, to apply again.
   */
  restartAt(inputOffset: number | undefined): IncomingRecord[] {
    this.overlay.clear();
    this.deadLetters = [];
    this.ingestDeadline = undefined;
    return this.input.restartAt(inputOffset);
  }
}
