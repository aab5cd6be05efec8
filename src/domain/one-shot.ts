/** Due times of the one-shot timings. */
import type { ScheduleDefinition } from './definition';

/**
 * The single due time of an `at` or `delay` schedule; undefined for recurring timings.
 * A delay counts from the definition record's timestamp, so a replay computes the same instant.
 */
export function oneShotDueAt(definition: ScheduleDefinition, recordTimestamp: number): number | undefined {
  const { timing } = definition;
  if (timing.kind === 'at') return timing.at;
  if (timing.kind === 'delay') return recordTimestamp + timing.delayMs;
  return undefined;
}
