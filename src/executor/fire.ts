/**
 * An execution event read from a target topic, as a handler sees it (design section 4: the event's
 * JSON value and its punctual-* headers). A record that is not a Punctual event is refused with the
 * reason, for the execution dead-letter topic.
 */
import { EVENT_HEADERS, type WindowRules } from '../domain/execution-event';
import type { RetryOptions } from '../domain/retry-policy';
import type { Headers, IncomingRecord } from '../kafka/port';
import { ATTEMPT_ERRORS_HEADER, parseAttemptErrors, type AttemptError } from './attempt-errors';

/** Headers an executor reads beyond the event's own: the retry attempt and an explicit capability. */
export const EXECUTOR_HEADERS = {
  attempt: EVENT_HEADERS.attempt,
  capability: 'punctual-capability',
  retry: EVENT_HEADERS.retry,
  attemptErrors: ATTEMPT_ERRORS_HEADER,
} as const;

export interface Fire {
  /** The schedule id, `<host>/<name>`. */
  id: string;
  host: string;
  name: string;
  /** `<id>@<scheduledAt ms>`: the same for every attempt of one occurrence. */
  fireId: string;
  scheduledAt: Date;
  firedAt: Date;
  /** 1-based occurrence of the schedule; 0 for a fire outside its regular run (header punctual-origin: trigger or backfill). */
  occurrence: number;
  /** 1 for the first delivery, then one more per retry. */
  attempt: number;
  /** The handler it goes to: the punctual-capability header, or else the topic. */
  capability: string;
  /** The definition's retry fields, over the executor's default. */
  retry?: RetryOptions;
  /** The schedule's windows and exclusions (the punctual-windows header): a retry obeys them too. */
  windowRules?: WindowRules;
  /** The errors of the attempts before this one, oldest first. */
  attemptErrors: AttemptError[];
  data: unknown;
  headers: Headers;
  topic: string;
  partition: number;
  offset: number;
}

export type ParsedFire = { fire: Fire } | { refused: string };

/** The fire `record` carries, or why it carries none. */
export function parseFire(record: IncomingRecord): ParsedFire {
  const { headers } = record;
  const fireId = headers[EVENT_HEADERS.fireId];
  if (fireId === undefined) return { refused: `not a Punctual event: no ${EVENT_HEADERS.fireId} header` };
  if (record.value === null) return { refused: `not a Punctual event: fire ${fireId} has no value` };
  let body: unknown;
  try {
    body = JSON.parse(record.value.toString('utf8'));
  } catch {
    return { refused: `not a Punctual event: fire ${fireId} has a value that is not JSON` };
  }
  if (typeof body !== 'object' || body === null) return { refused: `not a Punctual event: fire ${fireId} has a value that is not a JSON object` };
  const value = body as Record<string, unknown>;
  const text = (field: string): string | undefined => (typeof value[field] === 'string' ? (value[field] as string) : undefined);
  const id = text('id');
  const scheduledAt = new Date(text('scheduledAt') ?? Number.NaN);
  const firedAt = new Date(text('firedAt') ?? Number.NaN);
  if (id === undefined) return { refused: `not a Punctual event: fire ${fireId} has no string "id"` };
  if (Number.isNaN(scheduledAt.getTime())) return { refused: `not a Punctual event: fire ${fireId} has no ISO "scheduledAt", got ${JSON.stringify(value.scheduledAt)}` };
  const occurrence = value.occurrence;
  if (typeof occurrence !== 'number' || !Number.isInteger(occurrence) || occurrence < 0) {
    return { refused: `not a Punctual event: fire ${fireId} has no whole "occurrence" of at least 0, got ${JSON.stringify(occurrence)}` };
  }
  const attemptHeader = headers[EXECUTOR_HEADERS.attempt];
  const attempt = attemptHeader === undefined ? 1 : Number(attemptHeader);
  if (!Number.isInteger(attempt) || attempt < 1) return { refused: `fire ${fireId}: header ${EXECUTOR_HEADERS.attempt} must be a whole number of at least 1, got "${attemptHeader}"` };
  const retry = jsonObjectHeader<RetryOptions>(headers, EXECUTOR_HEADERS.retry);
  if (retry === null) return { refused: `fire ${fireId}: header ${EXECUTOR_HEADERS.retry} must be a JSON object, got ${JSON.stringify(headers[EXECUTOR_HEADERS.retry])}` };
  const windowRules = jsonObjectHeader<WindowRules>(headers, EVENT_HEADERS.windows);
  if (windowRules === null) return { refused: `fire ${fireId}: header ${EVENT_HEADERS.windows} must be a JSON object, got ${JSON.stringify(headers[EVENT_HEADERS.windows])}` };
  return {
    fire: {
      id,
      host: text('host') ?? id.split('/')[0] ?? '',
      name: text('name') ?? id.split('/').slice(1).join('/'),
      fireId,
      scheduledAt,
      firedAt: Number.isNaN(firedAt.getTime()) ? scheduledAt : firedAt,
      occurrence,
      attempt,
      capability: headers[EXECUTOR_HEADERS.capability] ?? record.topic,
      ...(retry ? { retry } : {}),
      ...(windowRules ? { windowRules } : {}),
      attemptErrors: parseAttemptErrors(headers[EXECUTOR_HEADERS.attemptErrors]),
      data: value.data,
      headers,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
    },
  };
}

/** A header holding a JSON object: undefined when absent, null when it is not a JSON object. */
function jsonObjectHeader<T>(headers: Headers, name: string): T | undefined | null {
  const text = headers[name];
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as T) : null;
}
