/**
 * Checks what a read_committed consumer saw on a target topic: no fire id twice, and for fixed-rate
 * schedules no gap between the first and last occurrence seen.
 */
import type { IncomingRecord } from '../../src/kafka/port';

export interface FireReport {
  byId: Map<string, number[]>;
  duplicates: string[];
}

export function fireReport(records: IncomingRecord[]): FireReport {
  const byId = new Map<string, number[]>();
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const record of records) {
    const fireId = record.headers['punctual-fire-id'] ?? '';
    if (seen.has(fireId)) duplicates.push(fireId);
    seen.add(fireId);
    const id = record.headers['punctual-id'] ?? '';
    const times = byId.get(id) ?? [];
    times.push(Number(record.headers['punctual-scheduled-at']));
    byId.set(id, times);
  }
  return { byId, duplicates };
}

/** Occurrences of a fixed-rate schedule missing between its first and last fire seen. */
export function gaps(times: number[], periodMs: number): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  const missing: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    for (let t = (sorted[i - 1] ?? 0) + periodMs; t < (sorted[i] ?? 0); t += periodMs) missing.push(t);
  }
  return missing;
}

export function isAscending(times: number[]): boolean {
  return times.every((t, i) => i === 0 || t > (times[i - 1] ?? -Infinity));
}

/**
 * Longest pause of a fixed-rate schedule: the largest gap between two consecutive fires (by the
 * events' firedAt) beyond the schedule's period. `periodOf` gives a schedule id's period.
 */
export interface Pause {
  /** How far beyond its period the gap reached. */
  ms: number;
  id: string;
  /** The fire before the gap (epoch ms of firedAt). */
  from: number;
}

/** The longest gap beyond its period between two fires of one schedule, and where it was. */
export function longestPauseOf(records: IncomingRecord[], periodOf: (id: string) => number | undefined): Pause {
  const firedAt = new Map<string, number[]>();
  for (const record of records) {
    const value = JSON.parse(record.value?.toString() ?? '{}') as { id: string; firedAt: string };
    if (periodOf(value.id) === undefined) continue;
    firedAt.set(value.id, [...(firedAt.get(value.id) ?? []), Date.parse(value.firedAt)]);
  }
  let longest: Pause = { ms: 0, id: '', from: 0 };
  for (const [id, times] of firedAt) {
    const period = periodOf(id) ?? 0;
    const sorted = [...new Set(times)].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      const ms = (sorted[i] ?? 0) - (sorted[i - 1] ?? 0) - period;
      if (ms > longest.ms) longest = { ms, id, from: sorted[i - 1] ?? 0 };
    }
  }
  return longest;
}

export function longestPause(records: IncomingRecord[], periodOf: (id: string) => number | undefined): number {
  return longestPauseOf(records, periodOf).ms;
}
