/**
 * A partition's schedule states and due index, over any abstract-level database (classic-level's
 * LevelDB in production, memory-level in unit tests; a RocksDB binding with the same interface would do).
 *
 * Every write is one atomic batch: schedule records, their due-index entries, occurrence outcomes
 * (read through outcome-history.ts) and, optionally, the checkpoint. Due-index entries are placed in time buckets relative to the clock at write time
 * (domain/time-buckets.ts) and promoted towards memory by promote().
 */
import type { AbstractLevel } from 'abstract-level';
import type { ScheduleId } from '../domain/definition';
import { LEVEL_WIDTHS, MEMORY_LEVEL, openTime, placeOccurrence } from '../domain/time-buckets';
import { CHECKPOINT_KEY, COUNTS_KEY, INDEX_PREFIX, PREFIX_END, SCHEDULE_PREFIX, indexKey, levelPrefix, parseIndexKey, scheduleKey } from './key-layout';
import { fireAtOfState, type ScheduleState } from '../domain/schedule-state';
import type { OccurrenceOutcome } from '../domain/occurrence-outcome';
import type { Checkpoint } from './checkpoint';

export type LevelDatabase = AbstractLevel<string | Buffer | Uint8Array, string, string>;

export interface DueEntry {
  id: ScheduleId;
  dueAt: number;
}

export interface StoreWrite {
  puts: ScheduleState[];
  deletes: ScheduleId[];
  /** Occurrence outcomes by history key (key-layout.ts historyKey), null to delete. */
  outcomes?: Map<string, OccurrenceOutcome | null>;
  checkpoint?: Checkpoint;
}

/** Splits changed states (null = deleted or finished) into the puts and deletes of a StoreWrite. */
export function storeWriteOf(changes: Map<ScheduleId, ScheduleState | null>): { puts: ScheduleState[]; deletes: ScheduleId[] } {
  const puts: ScheduleState[] = [];
  const deletes: ScheduleId[] = [];
  for (const [id, state] of changes) {
    if (state) puts.push(state);
    else deletes.push(id);
  }
  return { puts, deletes };
}

interface StoredSchedule {
  state: ScheduleState;
  /** The schedule's due-index key, null when it has no next occurrence. */
  index: string | null;
}

type BatchOperation = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

interface Counts {
  schedules: number;
  /** Due-index entries per level, the last being the memory level. */
  levels: number[];
}

const emptyCounts = (): Counts => ({ schedules: 0, levels: new Array<number>(MEMORY_LEVEL + 1).fill(0) });

/** Most stored values kept in memory for schedules about to fire. */
const MAX_HOT = 100_000;

export class ScheduleStore {
  private counts: Counts = emptyCounts();
  /**
   * When the next bucket opens, as far as known: 'unknown' until the index is read again. Index writes
   * only ever lower it (after they are written), deletes may leave it early (a promote that finds
   * nothing), never late, so a promote before this time can skip reading the index: the commit loop
   * runs many times a second.
   */
  private nextOpen: number | undefined | 'unknown' = 'unknown';
  /**
   * Stored values of schedules due within the memory level, mirroring the database: the commit loop
   * reads and rewrites exactly these many times a second, so they skip LevelDB's thread pool.
   */
  private readonly hot = new Map<ScheduleId, StoredSchedule>();
  /** Counts the starts and ends of writes to the bucket levels, so a read of the index that overlapped one is not cached. */
  private bucketWrites = 0;

  constructor(private readonly db: LevelDatabase) {}

  async open(): Promise<void> {
    await this.db.open();
    const raw = await this.db.get(COUNTS_KEY);
    this.counts = raw === undefined ? await this.countByScan() : (JSON.parse(raw) as Counts);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  async get(id: ScheduleId): Promise<ScheduleState | undefined> {
    return (await this.stored(id))?.state;
  }

  /** The states of many schedules in one read (absent ones are left out). */
  async getMany(ids: ScheduleId[]): Promise<Map<ScheduleId, ScheduleState>> {
    const stored = await this.storedMany(ids);
    return new Map([...stored].map(([id, value]) => [id, value.state]));
  }

  /** States in id order, ids starting with `prefix` and after `after`, at most `limit`. */
  async list(prefix: string, after: string | undefined, limit: number): Promise<ScheduleState[]> {
    const states: ScheduleState[] = [];
    const lt = scheduleKey(prefix) + PREFIX_END;
    const range = after !== undefined && after >= prefix ? { gt: scheduleKey(after), lt, limit } : { gte: scheduleKey(prefix), lt, limit };
    for await (const value of this.db.values(range)) states.push((JSON.parse(value) as StoredSchedule).state);
    return states;
  }

  async checkpoint(): Promise<Checkpoint | undefined> {
    const raw = await this.db.get(CHECKPOINT_KEY);
    return raw === undefined ? undefined : (JSON.parse(raw) as Checkpoint);
  }

  /** Writes states (placing their next occurrence relative to `now`), deletions and the checkpoint atomically. */
  async apply(write: StoreWrite, now: number): Promise<DueEntry[]> {
    const operations: BatchOperation[] = [];
    const enteredMemory: DueEntry[] = [];
    const touched = new Map<ScheduleId, ScheduleState | null>();
    for (const state of write.puts) touched.set(state.definition.id, state);
    for (const id of write.deletes) touched.set(id, null);
    const counts = structuredClone(this.counts);
    const existing = await this.storedMany([...touched.keys()]);
    const hotAfter = new Map<ScheduleId, StoredSchedule | null>();
    const bucketOpens: number[] = [];
    for (const [id, state] of touched) {
      const previous = existing.get(id);
      if (previous?.index) {
        operations.push({ type: 'del', key: previous.index });
        counts.levels[parseIndexKey(previous.index).level]! -= 1;
      }
      if (previous && !state) counts.schedules -= 1;
      if (!previous && state) counts.schedules += 1;
      if (!state) {
        operations.push({ type: 'del', key: scheduleKey(id) });
        hotAfter.set(id, null);
        continue;
      }
      let index: string | null = null;
      let dueSoon = false;
      const fireAt = fireAtOfState(state);
      if (fireAt !== null) {
        const place = placeOccurrence(fireAt, now);
        index = indexKey(place.level, place.bucket, fireAt, id);
        operations.push({ type: 'put', key: index, value: '' });
        counts.levels[place.level]! += 1;
        dueSoon = place.level === MEMORY_LEVEL;
        if (dueSoon) enteredMemory.push({ id, dueAt: fireAt });
        else bucketOpens.push(openTime(place.level, place.bucket));
      }
      const stored: StoredSchedule = { state, index };
      operations.push({ type: 'put', key: scheduleKey(id), value: JSON.stringify(stored) });
      hotAfter.set(id, dueSoon ? stored : null);
    }
    for (const [key, outcome] of write.outcomes ?? []) operations.push(outcome ? { type: 'put', key, value: JSON.stringify(outcome) } : { type: 'del', key });
    if (write.checkpoint) operations.push({ type: 'put', key: CHECKPOINT_KEY, value: JSON.stringify(write.checkpoint) });
    if (bucketOpens.length > 0) this.bucketWrites++;
    await this.commit(operations, counts);
    // After the write: a read of the index that ran alongside it may have cached a time without it.
    if (bucketOpens.length > 0) this.bucketWrites++;
    for (const opens of bucketOpens) this.lowerNextOpen(opens);
    for (const [id, stored] of hotAfter) this.keepHot(id, stored);
    return enteredMemory;
  }

  /**
   * Opens every bucket whose open time has come, moving its entries to finer levels, and returns
   * the entries that reached the memory level.
   */
  async promote(now: number): Promise<DueEntry[]> {
    if (this.nextOpen !== 'unknown' && (this.nextOpen === undefined || this.nextOpen > now)) return [];
    this.nextOpen = 'unknown';
    this.bucketWrites++;
    const enteredMemory: DueEntry[] = [];
    for (let level = 0; level < LEVEL_WIDTHS.length; level++) {
      const operations: BatchOperation[] = [];
      const counts = structuredClone(this.counts);
      const hotAfter = new Map<ScheduleId, StoredSchedule | null>();
      const opened: { key: string; entry: ReturnType<typeof parseIndexKey> }[] = [];
      for await (const key of this.db.keys({ gte: levelPrefix(level), lt: levelPrefix(level) + PREFIX_END })) {
        const entry = parseIndexKey(key);
        if (openTime(level, entry.bucket) > now) break;
        opened.push({ key, entry });
      }
      // One read for the whole bucket: a bucket of the seconds level can hold thousands of schedules.
      const storedById = await this.storedMany(opened.map(({ entry }) => entry.id));
      for (const { key, entry } of opened) {
        const place = placeOccurrence(entry.dueAt, now);
        const moved = indexKey(place.level, place.bucket, entry.dueAt, entry.id);
        const stored = storedById.get(entry.id);
        if (!stored) continue;
        operations.push({ type: 'del', key }, { type: 'put', key: moved, value: '' });
        const promoted = { ...stored, index: moved };
        operations.push({ type: 'put', key: scheduleKey(entry.id), value: JSON.stringify(promoted) });
        hotAfter.set(entry.id, place.level === MEMORY_LEVEL ? promoted : null);
        counts.levels[level]! -= 1;
        counts.levels[place.level]! += 1;
        if (place.level === MEMORY_LEVEL) enteredMemory.push({ id: entry.id, dueAt: entry.dueAt });
      }
      if (operations.length > 0) await this.commit(operations, counts);
      // Whatever a read of the index cached while this level moved is forgotten.
      this.nextOpen = 'unknown';
      this.bucketWrites++;
      for (const [id, stored] of hotAfter) this.keepHot(id, stored);
    }
    return enteredMemory;
  }

  /** When the next bucket opens; undefined when every entry is already in memory. */
  async nextOpenTime(): Promise<number | undefined> {
    if (this.nextOpen !== 'unknown') return this.nextOpen;
    const writesBefore = this.bucketWrites;
    let earliest: number | undefined;
    for (let level = 0; level < LEVEL_WIDTHS.length; level++) {
      for await (const key of this.db.keys({ gte: levelPrefix(level), lt: levelPrefix(level) + PREFIX_END, limit: 1 })) {
        const opens = openTime(level, parseIndexKey(key).bucket);
        if (earliest === undefined || opens < earliest) earliest = opens;
      }
    }
    // A write during the read may be missing from it: then the next call reads again.
    if (this.bucketWrites === writesBefore) this.nextOpen = earliest;
    return earliest;
  }

  /** Entries at the memory level, for a task that starts on an existing store. */
  async memoryEntries(): Promise<DueEntry[]> {
    const entries: DueEntry[] = [];
    for await (const key of this.db.keys({ gte: levelPrefix(MEMORY_LEVEL), lt: levelPrefix(MEMORY_LEVEL) + PREFIX_END })) {
      const { id, dueAt } = parseIndexKey(key);
      entries.push({ id, dueAt });
    }
    return entries;
  }

  /** Due-index entries per level, index 4 being the memory level (the bucket occupancy metric). */
  occupancy(): number[] {
    return [...this.counts.levels];
  }

  scheduleCount(): number {
    return this.counts.schedules;
  }

  /** The same figures by reading every key: for stores written before counts were kept, and for tests. */
  async countByScan(): Promise<Counts> {
    const counts = emptyCounts();
    for await (const key of this.db.keys({ gte: INDEX_PREFIX, lt: INDEX_PREFIX + PREFIX_END })) counts.levels[parseIndexKey(key).level]! += 1;
    for await (const _key of this.db.keys({ gte: SCHEDULE_PREFIX, lt: SCHEDULE_PREFIX + PREFIX_END })) counts.schedules += 1;
    return counts;
  }

  /** Deletes everything, checkpoint included (a store that cannot be trusted is restored from scratch). */
  async wipe(): Promise<void> {
    await this.db.clear();
    this.hot.clear();
    this.counts = emptyCounts();
    this.nextOpen = undefined;
  }

  /** Writes a batch together with the counts it leads to, and adopts them once written. */
  private async commit(operations: BatchOperation[], counts: Counts): Promise<void> {
    await this.db.batch([...operations, { type: 'put', key: COUNTS_KEY, value: JSON.stringify(counts) }]);
    this.counts = counts;
  }

  /** Keeps (or forgets) a schedule's stored value in `hot`; bounded, as after a long outage everything is due. */
  private keepHot(id: ScheduleId, stored: StoredSchedule | null): void {
    if (stored && this.hot.size < MAX_HOT) this.hot.set(id, stored);
    else this.hot.delete(id);
  }

  private lowerNextOpen(opens: number | undefined): void {
    if (opens === undefined || this.nextOpen === 'unknown') return;
    this.nextOpen = this.nextOpen === undefined ? opens : Math.min(this.nextOpen, opens);
  }

  private async storedMany(ids: ScheduleId[]): Promise<Map<ScheduleId, StoredSchedule>> {
    const found = new Map<ScheduleId, StoredSchedule>();
    const cold: ScheduleId[] = [];
    for (const id of ids) {
      const hot = this.hot.get(id);
      if (hot) found.set(id, hot);
      else cold.push(id);
    }
    if (cold.length === 0) return found;
    const values = await this.db.getMany(cold.map(scheduleKey));
    values.forEach((raw, i) => {
      const id = cold[i];
      if (raw !== undefined && id !== undefined) found.set(id, JSON.parse(raw) as StoredSchedule);
    });
    return found;
  }

  private async stored(id: ScheduleId): Promise<StoredSchedule | undefined> {
    const hot = this.hot.get(id);
    if (hot) return hot;
    const raw = await this.db.get(scheduleKey(id));
    return raw === undefined ? undefined : (JSON.parse(raw) as StoredSchedule);
  }
}
