/**
 * Turns a record of the definitions topic into a command for the partition task, or into a reason
 * for the dead letter topic. Never throws: bad input must not stop a partition.
 */
import type { CalendarLookup } from '../domain/calendar';
import { validateDefinition } from '../domain/definition-validation';
import { isScheduleId } from '../domain/schedule-id';
import type { ScheduleDefinition, ScheduleId } from '../domain/definition';
import { isControlBody, validateControl, type ControlCommand } from '../domain/schedule-control';
import type { IncomingRecord } from '../kafka/port';

export type DefinitionCommand =
  | { kind: 'upsert'; definition: ScheduleDefinition }
  | { kind: 'delete'; id: ScheduleId }
  | { kind: 'control'; id: ScheduleId; command: ControlCommand }
  | { kind: 'invalid'; reason: string; field: string };

/** `calendars`: the names a definition may exclude; any name passes without it. */
export function decodeDefinition(record: IncomingRecord, maxBytes: number, calendars?: CalendarLookup): DefinitionCommand {
  const key = record.key?.toString('utf8');
  if (key === undefined || key === '') return invalid('key', 'is missing; it must be the schedule id <host>/<name>');
  if (record.value === null) {
    // A tombstone deletes by key.
    return isScheduleId(key)
      ? { kind: 'delete', id: key }
      : invalid('key', `${JSON.stringify(key)} of a tombstone is not a schedule id <host>/<name>`);
  }
  const tooLarge = sizeProblem(record.value.length, maxBytes);
  if (tooLarge) return invalid('(body)', tooLarge);

  let body: unknown;
  try {
    body = JSON.parse(record.value.toString('utf8'));
  } catch (error) {
    return invalid('(body)', `is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (isControlBody(body)) {
    // A backfill must cover the past as of when the record was written.
    const control = validateControl(body, record.timestamp);
    if (!control.ok) return invalid(control.field, control.reason);
    if (key !== control.id) return invalid('key', `${JSON.stringify(key)} does not match host/name ${JSON.stringify(control.id)}`);
    return { kind: 'control', id: control.id, command: control.command };
  }
  const result = validateDefinition(body, calendars ? { calendars } : undefined);
  if (!result.ok) return invalid(result.field, result.reason);
  const id = result.action === 'DELETE' ? result.id : result.definition.id;
  if (key !== id) return invalid('key', `${JSON.stringify(key)} does not match host/name ${JSON.stringify(id)}`);
  return result.action === 'DELETE' ? { kind: 'delete', id } : { kind: 'upsert', definition: result.definition };
}

/** Why a definition value of `bytes` is refused, if it is: REST (DefinitionWriter) and the Kafka path measure the same record value. */
export function sizeProblem(bytes: number, maxBytes: number): string | undefined {
  return bytes > maxBytes ? `is ${bytes} bytes, over the limit of ${maxBytes}` : undefined;
}

function invalid(field: string, reason: string): DefinitionCommand {
  return { kind: 'invalid', reason: `${field}: ${reason}`, field };
}
