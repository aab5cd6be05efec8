/**
 * Turns a calendar body (REST or a punctual.calendars record) into a Calendar named `name`, or says
 * which field is wrong. The JSON Schema checks shape; the dates are checked in calendar.ts.
 */
import Ajv from 'ajv';
import calendarSchema from '../../schemas/calendar.schema.json';
import { calendarProblem, type Calendar } from './calendar';
import { ID_PART_RULE, isIdPart } from './schedule-id';
import { shapeProblem, type FieldProblem } from './schema-errors';

export type ValidatedCalendar = { ok: true; calendar: Calendar } | ({ ok: false } & FieldProblem);

const checkShape = new Ajv({ allErrors: false, strict: true }).compile<Omit<Calendar, 'name'> & { name?: string }>(calendarSchema);

export function validateCalendar(name: string, body: unknown): ValidatedCalendar {
  if (!isIdPart(name)) return { ok: false, field: 'name', reason: `${JSON.stringify(name)} ${ID_PART_RULE}` };
  if (!checkShape(body)) return { ok: false, ...shapeProblem(checkShape.errors?.[0], body) };
  if (body.name !== undefined && body.name !== name) return { ok: false, field: 'name', reason: `${JSON.stringify(body.name)} differs from the calendar's name ${JSON.stringify(name)}` };
  const calendar: Calendar = { ...body, name };
  const problem = calendarProblem(calendar);
  return problem ? { ok: false, ...problem } : { ok: true, calendar };
}
