/** The execution event written to a schedule's target topic (design section 4). */
import type { ScheduleDefinition } from './definition';

export const EVENT_HEADERS = {
  id: 'punctual-id',
  scheduledAt: 'punctual-scheduled-at',
  occurrence: 'punctual-occurrence',
  fireId: 'punctual-fire-id',
} as const;

export interface ExecutionEvent {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface Occurrence {
  scheduledAt: number;
  /** 1-based. */
  occurrence: number;
}

/** `<id>@<scheduledAtMs>`: the idempotency key a consumer can dedupe on. */
export function fireId(id: string, scheduledAt: number): string {
  return `${id}@${scheduledAt}`;
}

export function executionEvent(definition: ScheduleDefinition, occurrence: Occurrence, firedAt: number): ExecutionEvent {
  const value = {
    id: definition.id,
    host: definition.host,
    name: definition.name,
    scheduledAt: new Date(occurrence.scheduledAt).toISOString(),
    firedAt: new Date(firedAt).toISOString(),
    occurrence: occurrence.occurrence,
    data: definition.data,
  };
  return {
    key: definition.key ?? definition.id,
    value: JSON.stringify(value),
    // The definition's own headers first, so they can never overwrite Punctual's.
    headers: {
      ...definition.headers,
      [EVENT_HEADERS.id]: definition.id,
      [EVENT_HEADERS.scheduledAt]: String(occurrence.scheduledAt),
      [EVENT_HEADERS.occurrence]: String(occurrence.occurrence),
      [EVENT_HEADERS.fireId]: fireId(definition.id, occurrence.scheduledAt),
    },
  };
}
