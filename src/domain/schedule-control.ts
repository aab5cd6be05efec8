/**
 * Control of a running schedule: pause and resume, trigger now, skip the next occurrences, backfill
 * a past range. A control record travels on the definitions topic like a definition (key = the
 * schedule id, so it lands in the schedule's partition and applies in order with its definitions);
 * REST writes the same record. Its value:
 *
 *   {"control": "pause", "host": "billing", "name": "invoice", "reason": "month-end freeze"}
 *   {"control": "resume", ..., "reason"?}           {"control": "trigger", ...}
 *   {"control": "skip", ..., "count": 3}             {"control": "cancel-backfill", ...}
 *   {"control": "backfill", ..., "from": "2026-11-01T00:00:00Z", "to": "2026-11-02T00:00:00Z", "perSecond": 10}
 */
import { ID_PART_RULE, isIdPart } from './schedule-id';

export const CONTROLS = ['pause', 'resume', 'trigger', 'skip', 'backfill', 'cancel-backfill'] as const;
export type ControlKind = (typeof CONTROLS)[number];

export type ControlCommand =
  | { control: 'pause'; reason: string }
  | { control: 'resume'; reason?: string }
  | { control: 'trigger' }
  | { control: 'skip'; count: number }
  | { control: 'backfill'; from: number; to: number; perSecond: number }
  | { control: 'cancel-backfill' };

/** Most occurrences one skip may name; a larger gap is a pause. */
export const MAX_SKIP = 100_000;
/** Fastest backfill throttle, in fires per second. */
export const MAX_BACKFILL_PER_SECOND = 10_000;
export const MAX_REASON_LENGTH = 500;

export type ControlValidation = { ok: true; id: string; command: ControlCommand } | { ok: false; field: string; reason: string };

/** Whether a record value is a control record rather than a definition. */
export function isControlBody(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && 'control' in body;
}

/** Checks a control record's value; `now` bounds a backfill to the past. */
export function validateControl(body: Record<string, unknown>, now: number): ControlValidation {
  const refuse = (field: string, reason: string): ControlValidation => ({ ok: false, field, reason });
  const { control, host, name } = body;
  if (typeof control !== 'string' || !(CONTROLS as readonly string[]).includes(control)) return refuse('control', `${JSON.stringify(control)} is not one of ${CONTROLS.join(', ')}`);
  for (const [field, value] of [['host', host], ['name', name]] as const) {
    if (typeof value !== 'string' || !isIdPart(value)) return refuse(field, `${JSON.stringify(value)} ${ID_PART_RULE}`);
  }
  const allowed: Record<ControlKind, string[]> = {
    pause: ['reason'],
    resume: ['reason'],
    trigger: [],
    skip: ['count'],
    backfill: ['from', 'to', 'perSecond'],
    'cancel-backfill': [],
  };
  const kind = control as ControlKind;
  for (const field of Object.keys(body)) {
    if (!['control', 'host', 'name', ...allowed[kind]].includes(field)) return refuse(field, `is not a field of a ${kind} control record`);
  }
  const id = `${host as string}/${name as string}`;
  const reason = body.reason;
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH)) return refuse('reason', `must be text of at most ${MAX_REASON_LENGTH} characters, got ${JSON.stringify(reason)?.slice(0, 80)}`);
  switch (kind) {
    case 'pause':
      if (typeof reason !== 'string' || reason.trim() === '') return refuse('reason', 'is required to pause: say why, for whoever finds it paused');
      return { ok: true, id, command: { control: 'pause', reason } };
    case 'resume':
      return { ok: true, id, command: reason === undefined ? { control: 'resume' } : { control: 'resume', reason: reason as string } };
    case 'trigger':
    case 'cancel-backfill':
      return { ok: true, id, command: { control: kind } };
    case 'skip': {
      const count = body.count;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_SKIP) return refuse('count', `must be a whole number from 1 to ${MAX_SKIP}, got ${JSON.stringify(count)}`);
      return { ok: true, id, command: { control: 'skip', count } };
    }
    case 'backfill': {
      const from = instant(body.from);
      if (from === undefined) return refuse('from', `must be an ISO-8601 instant with a zone, got ${JSON.stringify(body.from)}`);
      const to = instant(body.to);
      if (to === undefined) return refuse('to', `must be an ISO-8601 instant with a zone, got ${JSON.stringify(body.to)}`);
      if (to <= from) return refuse('to', `${String(body.to)} is not after from ${String(body.from)}`);
      if (to > now) return refuse('to', `${String(body.to)} is in the future: a backfill covers past occurrences only`);
      const perSecond = body.perSecond;
      if (typeof perSecond !== 'number' || !Number.isFinite(perSecond) || perSecond <= 0 || perSecond > MAX_BACKFILL_PER_SECOND) return refuse('perSecond', `must be a number of fires per second above 0 and at most ${MAX_BACKFILL_PER_SECOND}, got ${JSON.stringify(perSecond)}`);
      return { ok: true, id, command: { control: 'backfill', from, to, perSecond } };
    }
  }
}

function instant(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}
