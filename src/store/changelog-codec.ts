/**
 * Records of the changelog topic: key = schedule id, value = the schedule state as JSON, or a
 * tombstone when the schedule was deleted or finished. One more key per partition, the restore
 * barrier, marks where a new owner's restore ends (see cluster/restore.ts); it is never a schedule.
 */
import type { ScheduleId } from '../domain/definition';
import type { IncomingRecord, OutgoingRecord } from '../kafka/port';
import type { ScheduleState } from './schedule-state';

/** Not a schedule id: those always contain "/". */
export const BARRIER_KEY = '__punctual_restore_barrier__';

export type ChangelogEntry = { kind: 'state'; state: ScheduleState } | { kind: 'tombstone'; id: ScheduleId } | { kind: 'barrier' };

export function changelogRecord(topic: string, partition: number, id: ScheduleId, state: ScheduleState | null): OutgoingRecord {
  return { topic, partition, key: id, value: state === null ? null : JSON.stringify(state) };
}

export function barrierRecord(topic: string, partition: number, owner: string): OutgoingRecord {
  return { topic, partition, key: BARRIER_KEY, value: JSON.stringify({ owner }) };
}

export function decodeChangelog(record: IncomingRecord): ChangelogEntry {
  const key = record.key?.toString('utf8') ?? '';
  if (key === BARRIER_KEY) return { kind: 'barrier' };
  if (record.value === null) return { kind: 'tombstone', id: key };
  return { kind: 'state', state: JSON.parse(record.value.toString('utf8')) as ScheduleState };
}
