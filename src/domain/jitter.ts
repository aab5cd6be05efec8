/**
 * Jitter: an occurrence fires up to `maxMs` after its scheduled time, by an amount derived from its
 * fire id alone. The same occurrence gets the same delay on every node and every replay; different
 * occurrences spread evenly over [0, maxMs].
 */
import { createHash } from 'node:crypto';
import type { ScheduleDefinition } from './definition';
import { fireId } from './execution-event';

export function jitterMs(scheduleId: string, scheduledAt: number, maxMs: number): number {
  if (maxMs <= 0) return 0;
  const digest = createHash('sha256').update(fireId(scheduleId, scheduledAt)).digest();
  // 48 bits: uniform enough for any maxMs a schedule can have (the schema caps it at a day).
  return digest.readUIntBE(0, 6) % (maxMs + 1);
}

/** The instant an occurrence scheduled at `scheduledAt` fires: later by its jitter when the schedule has one. */
export function fireAtOf(definition: ScheduleDefinition, scheduledAt: number): number {
  return definition.jitter ? scheduledAt + jitterMs(definition.id, scheduledAt, definition.jitter.maxMs) : scheduledAt;
}
