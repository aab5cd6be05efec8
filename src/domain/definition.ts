/** The schedule model (design section 4). Pure types, no I/O. */
import type { ExecutionWindow } from './execution-windows';
import type { RetryOptions } from './retry-policy';

export type Action = 'INSERT' | 'UPDATE' | 'DELETE';
export type TimeUnit = 'MILLISECONDS' | 'SECONDS' | 'MINUTES' | 'HOURS' | 'DAYS';
export type MisfirePolicy = 'fire-once' | 'fire-all' | 'skip';

/** What a cron fires on daylight-saving nights (cron.ts): wall-clock times the clocks jump over, and those they show twice. */
export interface DstPolicy {
  gap: 'shift' | 'skip';
  overlap: 'first' | 'last' | 'both';
}

export const TIME_UNIT_MS: Record<TimeUnit, number> = {
  MILLISECONDS: 1,
  SECONDS: 1_000,
  MINUTES: 60_000,
  HOURS: 3_600_000,
  DAYS: 86_400_000,
};

export interface Duration {
  timeUnit: TimeUnit;
  time: number;
}

/** Exactly one of these per INSERT/UPDATE. `given` keeps a duration as it was written (its unit), for reading it back. */
export type Timing =
  | { kind: 'at'; at: number }
  | { kind: 'delay'; delayMs: number; given?: Duration }
  | { kind: 'frequency'; periodMs: number; given?: Duration }
  | { kind: 'cron'; expression: string; timezone: string; dst?: DstPolicy };

/** `<host>/<name>`. */
export type ScheduleId = string;

/** The occurrence a retry one-shot fires as (written by an executor; see docs/executor.md). */
export interface RetryOf {
  id: ScheduleId;
  fireId: string;
  occurrence: number;
  scheduledAt: number;
  /** 2 for the first retry. */
  attempt: number;
}

export interface ScheduleDefinition {
  id: ScheduleId;
  host: string;
  name: string;
  action: 'INSERT' | 'UPDATE';
  timing: Timing;
  topic: string;
  key?: string;
  headers: Record<string, string>;
  data: unknown;
  start?: number;
  end?: number;
  limit?: number;
  misfire: MisfirePolicy;
  /** How executors retry failed attempts: fields given here win over the executor's default. */
  retry?: RetryOptions;
  retryOf?: RetryOf;
  /** The zone of windows and exclusions for a timing other than cron (a cron timing has its own). */
  timezone?: string;
  /** When given, occurrences fire only inside these windows. */
  windows?: ExecutionWindow[];
  /** What an occurrence outside every window does; defer when not given. */
  outsideWindow?: 'defer' | 'skip';
  /** Names of exclusion calendars: no occurrence fires on their days. */
  exclude?: string[];
  /** Each occurrence fires up to maxMs late, by a delay derived from its fire id. */
  jitter?: { maxMs: number };
}

/** The zone a schedule's wall-clock rules (cron, windows, exclusions) are read in. */
export function scheduleZone(definition: ScheduleDefinition): string {
  return definition.timing.kind === 'cron' ? definition.timing.timezone : (definition.timezone ?? 'UTC');
}

export function scheduleId(host: string, name: string): ScheduleId {
  return `${host}/${name}`;
}

export function durationMs(duration: Duration): number {
  return duration.time * TIME_UNIT_MS[duration.timeUnit];
}
