/** The execution event written to a schedule's target topic (design section 4). */
import type { ScheduleDefinition } from './definition';

export const EVENT_HEADERS = {
  id: 'punctual-id',
  scheduledAt: 'punctual-scheduled-at',
  occurrence: 'punctual-occurrence',
  fireId: 'punctual-fire-id',
  /** Only on retries (2, 3, ...): a first attempt has none. */
  attempt: 'punctual-attempt',
  /** The definition's `retry`, as JSON, when it has one: the executor's default fills what it leaves out. */
  retry: 'punctual-retry',
  /** The definition's windows and exclusions with their zone, as JSON, when it has them: its retries obey the same. */
  windows: 'punctual-windows',
  /** Only on fires outside the regular run: `trigger` (trigger now) or `backfill`; their occurrence is 0. */
  origin: 'punctual-origin',
} as const;

/** A fire outside the regular run: its origin, and a fire id of its own (a trigger's). */
export interface ExtraOrigin {
  origin: 'trigger' | 'backfill';
  fireId?: string;
}

/** What the punctual-windows header carries. */
export interface WindowRules {
  timezone?: string;
  windows?: ScheduleDefinition['windows'];
  exclude?: string[];
}

export interface ExecutionEvent {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface Occurrence {
  scheduledAt: number;
  /** 1-based; 0 for a fire outside the regular run (trigger, backfill). */
  occurrence: number;
}

/** `<id>@<scheduledAtMs>`: the idempotency key a consumer can dedupe on. */
export function fireId(id: string, scheduledAt: number): string {
  return `${id}@${scheduledAt}`;
}

/**
 * The event of one occurrence. A retry one-shot (`retryOf`, written by an executor) fires as the
 * occurrence it retries: that schedule's id, fire id, occurrence and due time, and its attempt.
 */
export function executionEvent(definition: ScheduleDefinition, occurrence: Occurrence, firedAt: number, extra?: ExtraOrigin): ExecutionEvent {
  const { retryOf } = definition;
  const id = retryOf?.id ?? definition.id;
  const scheduledAt = retryOf?.scheduledAt ?? occurrence.scheduledAt;
  const number = retryOf?.occurrence ?? occurrence.occurrence;
  const value = {
    id,
    host: definition.host,
    name: id.slice(definition.host.length + 1),
    scheduledAt: new Date(scheduledAt).toISOString(),
    firedAt: new Date(firedAt).toISOString(),
    occurrence: number,
    data: definition.data,
  };
  return {
    key: definition.key ?? id,
    value: JSON.stringify(value),
    // The definition's own headers first, so they can never overwrite Punctual's.
    headers: {
      ...definition.headers,
      [EVENT_HEADERS.id]: id,
      [EVENT_HEADERS.scheduledAt]: String(scheduledAt),
      [EVENT_HEADERS.occurrence]: String(number),
      [EVENT_HEADERS.fireId]: retryOf?.fireId ?? extra?.fireId ?? fireId(definition.id, occurrence.scheduledAt),
      ...(extra ? { [EVENT_HEADERS.origin]: extra.origin } : {}),
      ...(retryOf ? { [EVENT_HEADERS.attempt]: String(retryOf.attempt) } : {}),
      ...(definition.retry ? { [EVENT_HEADERS.retry]: JSON.stringify(definition.retry) } : {}),
      ...(definition.windows || definition.exclude ? { [EVENT_HEADERS.windows]: JSON.stringify(windowRules(definition)) } : {}),
    },
  };
}

function windowRules(definition: ScheduleDefinition): WindowRules {
  const timezone = definition.timing.kind === 'cron' ? definition.timing.timezone : definition.timezone;
  return { ...(timezone ? { timezone } : {}), ...(definition.windows ? { windows: definition.windows } : {}), ...(definition.exclude ? { exclude: definition.exclude } : {}) };
}
