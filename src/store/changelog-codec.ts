/**
 * Records of the changelog topic: key = schedule id, value = the schedule state as JSON, or a
 * tombstone when the schedule was deleted or finished. Two more keys per partition are never
 * schedules: the restore barrier marks where a new owner's restore ends (see cluster/restore.ts), and
 * the input position, written in every transaction that commits an input offset, says in the
 * changelog itself which definitions offset the states reflect, so a restore knows where ingest
 * resumes without asking the group coordinator. The status position does the same for the status
 * partition. Occurrence outcomes (a schedule's history) are kept under their store key, h!<id>!<time>.
 */
import type { ScheduleId } from '../domain/definition';
import type { IncomingRecord, OutgoingRecord } from '../kafka/port';
import type { ScheduleState } from '../domain/schedule-state';
import type { OccurrenceOutcome } from '../domain/occurrence-outcome';
import { HISTORY_PREFIX } from './key-layout';

/** Not a schedule id: those always contain "/". */
export const BARRIER_KEY = '__punctual_restore_barrier__';
export const INPUT_POSITION_KEY = '__punctual_input_position__';
export const STATUS_POSITION_KEY = '__punctual_status_position__';

export type ChangelogEntry =
  | { kind: 'state'; state: ScheduleState }
  | { kind: 'tombstone'; id: ScheduleId }
  | { kind: 'barrier' }
  | { kind: 'input-position'; inputOffset: number }
  | { kind: 'status-position'; statusOffset: number }
  | { kind: 'outcome'; key: string; outcome: OccurrenceOutcome | null };

export function changelogRecord(topic: string, partition: number, id: ScheduleId, state: ScheduleState | null): OutgoingRecord {
  return { topic, partition, key: id, value: state === null ? null : JSON.stringify(state) };
}

export function barrierRecord(topic: string, partition: number, owner: string): OutgoingRecord {
  return { topic, partition, key: BARRIER_KEY, value: JSON.stringify({ owner }) };
}

/** `inputOffset` is the next definitions offset to consume, committed in the same transaction. */
export function inputPositionRecord(topic: string, partition: number, inputOffset: number): OutgoingRecord {
  return { topic, partition, key: INPUT_POSITION_KEY, value: JSON.stringify({ inputOffset }) };
}

/** `statusOffset` is the next status offset to consume, committed in the same transaction. */
export function statusPositionRecord(topic: string, partition: number, statusOffset: number): OutgoingRecord {
  return { topic, partition, key: STATUS_POSITION_KEY, value: JSON.stringify({ statusOffset }) };
}

/** An occurrence's outcome under its history key, or its deletion (null). */
export function outcomeRecord(topic: string, partition: number, key: string, outcome: OccurrenceOutcome | null): OutgoingRecord {
  return { topic, partition, key, value: outcome === null ? null : JSON.stringify(outcome) };
}

export function decodeChangelog(record: IncomingRecord): ChangelogEntry {
  const key = record.key?.toString('utf8') ?? '';
  if (key === BARRIER_KEY) return { kind: 'barrier' };
  if (key === INPUT_POSITION_KEY && record.value !== null) {
    return { kind: 'input-position', inputOffset: (JSON.parse(record.value.toString('utf8')) as { inputOffset: number }).inputOffset };
  }
  if (key === STATUS_POSITION_KEY && record.value !== null) {
    return { kind: 'status-position', statusOffset: (JSON.parse(record.value.toString('utf8')) as { statusOffset: number }).statusOffset };
  }
  if (key.startsWith(HISTORY_PREFIX)) return { kind: 'outcome', key, outcome: record.value === null ? null : (JSON.parse(record.value.toString('utf8')) as OccurrenceOutcome) };
  if (record.value === null) return { kind: 'tombstone', id: key };
  return { kind: 'state', state: JSON.parse(record.value.toString('utf8')) as ScheduleState };
}
