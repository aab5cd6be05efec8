/**
 * Reading the parts of a schedules request (path, query, body), each refused with a 400 naming the
 * field. Checked before anything is written, so a bad parameter never leaves a write behind.
 */
import type { Request } from 'express';
import type { CalendarLookup } from '../domain/calendar';
import { scheduleId, type ScheduleId } from '../domain/definition';
import { validateDefinition } from '../domain/definition-validation';
import { ID_PART_RULE, isIdPart } from '../domain/schedule-id';
import { HttpError } from './http-error';

export function invalid(field: string, reason: string): HttpError {
  return new HttpError(400, 'invalid_definition', `${field}: ${reason}`, { field, reason });
}

/** The body as a JSON object, or a 400. */
export function jsonObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('(body)', 'must be a JSON object');
  return body as Record<string, unknown>;
}

/** `?wait=applied`, the only wait there is. */
export function waitAppliedFrom(req: Request): boolean {
  const wait = req.query.wait;
  if (wait === undefined) return false;
  if (wait !== 'applied') throw invalid('wait', `${JSON.stringify(wait)} is not supported; use wait=applied`);
  return true;
}

export function countFrom(req: Request): number {
  return numberFrom(req, 'count', 10, 1_000);
}

export function numberFrom(req: Request, parameter: string, fallback: number, max: number): number {
  const raw = req.query[parameter] ?? String(fallback);
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(value) || value < 1 || value > max) throw invalid(parameter, `${JSON.stringify(raw)} must be a whole number from 1 to ${max}`);
  return value;
}

export function optionalIdPart(req: Request, parameter: 'host' | 'name'): string | undefined {
  const raw = req.query[parameter];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !isIdPart(raw)) throw invalid(parameter, `${JSON.stringify(raw)} ${ID_PART_RULE}`);
  return raw;
}

/** The schedule of a path /.../{host}/{name}. */
export function idFromPath(req: Request): ScheduleId {
  for (const part of ['host', 'name'] as const) {
    const value = String(req.params[part]);
    if (!isIdPart(value)) throw invalid(part, `${JSON.stringify(value)} ${ID_PART_RULE}`);
  }
  return scheduleId(String(req.params.host), String(req.params.name));
}

/** A definition body validated as the Kafka ingest path validates it. */
export function validated(body: unknown, calendars: CalendarLookup): { id: ScheduleId; action: 'INSERT' | 'UPDATE' | 'DELETE' } {
  const result = validateDefinition(body, { calendars });
  if (!result.ok) throw invalid(result.field, result.reason);
  const action = (body as { action: 'INSERT' | 'UPDATE' | 'DELETE' }).action;
  return { id: result.action === 'DELETE' ? result.id : result.definition.id, action };
}
