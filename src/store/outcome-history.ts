/**
 * Reads of the occurrence outcomes a partition's store keeps (key-layout.ts: h!<id>!<scheduledAt>).
 * They are written with the schedules, in ScheduleStore.apply's batches, so the checkpoint covers them.
 */
import type { ScheduleId } from '../domain/definition';
import type { OccurrenceOutcome } from '../domain/occurrence-outcome';
import { HISTORY_PREFIX, PREFIX_END, historyPrefix, parseHistoryKey } from './key-layout';
import type { LevelDatabase } from './schedule-store';

export interface HistoryKeyEntry {
  key: string;
  id: ScheduleId;
  scheduledAt: number;
}

export class OutcomeHistory {
  constructor(private readonly db: LevelDatabase) {}

  /** The stored outcomes of `keys` (absent ones left out). */
  async getMany(keys: string[]): Promise<Map<string, OccurrenceOutcome>> {
    const found = new Map<string, OccurrenceOutcome>();
    if (keys.length === 0) return found;
    const values = await this.db.getMany(keys);
    values.forEach((raw, i) => {
      const key = keys[i];
      if (raw !== undefined && key !== undefined) found.set(key, JSON.parse(raw) as OccurrenceOutcome);
    });
    return found;
  }

  /** A schedule's outcomes, latest occurrence first, at most `limit`. */
  async latest(id: ScheduleId, limit: number): Promise<OccurrenceOutcome[]> {
    const outcomes: OccurrenceOutcome[] = [];
    const prefix = historyPrefix(id);
    for await (const value of this.db.values({ gte: prefix, lt: prefix + PREFIX_END, reverse: true, limit })) outcomes.push(JSON.parse(value) as OccurrenceOutcome);
    return outcomes;
  }

  /** Every history key in order (by schedule, then occurrence time), read lazily: for the retention sweep. */
  async *keys(): AsyncGenerator<HistoryKeyEntry> {
    for await (const key of this.db.keys({ gte: HISTORY_PREFIX, lt: HISTORY_PREFIX + PREFIX_END })) {
      const parsed = parseHistoryKey(key);
      if (parsed) yield { key, ...parsed };
    }
  }
}
