/**
 * The key layout of a partition's LevelDB store. This file is the only one that builds or parses keys.
 *
 *   s!<scheduleId>                                   schedule record: {state, index} (JSON)
 *   i!<level>!<bucket:16>!<dueAt:16>!<scheduleId>    due-index entry, value "" (see domain/time-buckets.ts)
 *   h!<scheduleId>!<scheduledAt:16>                  outcome of one occurrence (JSON, domain/occurrence-outcome.ts)
 *   m!checkpoint                                     checkpoint (JSON)
 *   m!counts                                         schedule count and due-index entries per level (JSON),
 *                                                    written in every batch so metrics never scan
 *
 * Numbers are zero-padded decimals so byte order is time order; times before 1970 are stored as 0
 * (they are overdue either way). Schedule ids never contain "!".
 */
import type { ScheduleId } from '../domain/definition';

export const SCHEDULE_PREFIX = 's!';
export const INDEX_PREFIX = 'i!';
export const HISTORY_PREFIX = 'h!';
export const CHECKPOINT_KEY = 'm!checkpoint';
export const COUNTS_KEY = 'm!counts';
/** Sorts after every key of a prefix that ends in "!" ("~" is above every id character). */
export const PREFIX_END = '~';

export function scheduleKey(id: ScheduleId): string {
  return SCHEDULE_PREFIX + id;
}

export function indexKey(level: number, bucket: number, dueAt: number, id: ScheduleId): string {
  return `${levelPrefix(level)}${pad(bucket)}!${pad(dueAt)}!${id}`;
}

/** The key of one occurrence's outcome; the changelog uses the same key (it never names a schedule: those have no "!"). */
export function historyKey(id: ScheduleId, scheduledAt: number): string {
  return `${historyPrefix(id)}${pad(scheduledAt)}`;
}

/** Every history key of one schedule starts with this. */
export function historyPrefix(id: ScheduleId): string {
  return `${HISTORY_PREFIX}${id}!`;
}

export function parseHistoryKey(key: string): { id: ScheduleId; scheduledAt: number } | undefined {
  if (!key.startsWith(HISTORY_PREFIX)) return undefined;
  const cut = key.lastIndexOf('!');
  const scheduledAt = Number(key.slice(cut + 1));
  if (cut <= HISTORY_PREFIX.length || !Number.isFinite(scheduledAt)) return undefined;
  return { id: key.slice(HISTORY_PREFIX.length, cut), scheduledAt };
}

export function levelPrefix(level: number): string {
  return `${INDEX_PREFIX}${level}!`;
}

export interface ParsedIndexKey {
  level: number;
  bucket: number;
  dueAt: number;
  id: ScheduleId;
}

export function parseIndexKey(key: string): ParsedIndexKey {
  const [, level, bucket, dueAt, ...id] = key.split('!');
  return { level: Number(level), bucket: Number(bucket), dueAt: Number(dueAt), id: id.join('!') };
}

function pad(value: number): string {
  return String(Math.max(0, Math.floor(value))).padStart(16, '0');
}
