/**
 * The records an executor writes: a start and an outcome to the status topic (domain/execution-status.ts), keyed by schedule id so that each
 * status partition lines up with its definitions partition; and a retry, a one-shot definition
 * that fires as the same occurrence's next attempt. Dead letters are the ingest path's
 * (src/ingest/dead-letter.ts): the original record with the reason and its origin in headers.
 */
import { EVENT_HEADERS } from '../domain/execution-event';
import type { IncomingRecord, OutgoingRecord } from '../kafka/port';
import { deadLetter } from '../ingest/dead-letter';
import { ATTEMPT_ERRORS_HEADER, type AttemptError } from './attempt-errors';
import type { Fire } from './fire';
import type { StatusValue } from '../domain/execution-status';

/** Headers a node writes on every event: a retry's event gets its own, so the fire's are not copied. */
const NODE_HEADERS = new Set<string>(Object.values(EVENT_HEADERS));

export function statusRecord(topic: string, fire: Fire, value: Omit<StatusValue, 'fireId' | 'id' | 'occurrence' | 'scheduledAt' | 'attempt' | 'capability'>): OutgoingRecord {
  const full: StatusValue = { fireId: fire.fireId, id: fire.id, occurrence: fire.occurrence, scheduledAt: fire.scheduledAt.toISOString(), attempt: fire.attempt, capability: fire.capability, ...value };
  return { topic, key: fire.id, value: JSON.stringify(full), headers: { 'punctual-fire-id': fire.fireId, 'punctual-status': value.status } };
}

/** Names a retry one-shot: one per occurrence and attempt, so writing it again changes nothing. */
export function retryName(fire: Fire, attempt: number): string {
  return `${fire.name.slice(0, 200)}:retry:${fire.scheduledAt.getTime()}:${attempt}`;
}

/**
 * The definition of the next attempt of `fire`: a one-shot at `at`, to the same topic with the same
 * key, data, headers (an explicit capability among them) and retry policy, that fires as the same
 * occurrence (retryOf) with the attempt after this one, carrying the errors of the attempts so far.
 */
export function retryDefinitionRecord(definitionsTopic: string, fire: Fire, record: IncomingRecord, at: number, errors: AttemptError[]): OutgoingRecord {
  const attempt = fire.attempt + 1;
  const name = retryName(fire, attempt);
  const headers = Object.fromEntries(Object.entries(fire.headers).filter(([header]) => !NODE_HEADERS.has(header)));
  headers[ATTEMPT_ERRORS_HEADER] = JSON.stringify(errors);
  const body = {
    host: fire.host,
    name,
    action: 'INSERT',
    at: new Date(at).toISOString(),
    topic: fire.topic,
    ...(record.key === null ? {} : { key: record.key.toString('utf8') }),
    headers,
    data: fire.data ?? null,
    ...(fire.retry ? { retry: fire.retry } : {}),
    // The schedule's windows and exclusions: a retry outside every window waits for the next one (never skipped).
    ...(fire.windowRules ?? {}),
    retryOf: { id: fire.id, fireId: fire.fireId, occurrence: fire.occurrence, scheduledAt: fire.scheduledAt.toISOString(), attempt },
  };
  return { topic: definitionsTopic, key: `${fire.host}/${name}`, value: JSON.stringify(body) };
}

/** The dead letter of a fire's last attempt: the original event, the reason, and every attempt's error in its header. */
export function fireDeadLetter(deadLetterTopic: string, record: IncomingRecord, reason: string, errors: AttemptError[]): OutgoingRecord {
  const letter = deadLetter(deadLetterTopic, record, reason);
  return { ...letter, headers: { ...letter.headers, [ATTEMPT_ERRORS_HEADER]: JSON.stringify(errors) } };
}
