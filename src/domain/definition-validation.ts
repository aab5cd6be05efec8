/**
 * Turns a parsed definition body into a ScheduleDefinition or a DELETE, or says exactly which field
 * is wrong and why. The JSON Schema in schemas/ checks shape; the rules across fields live here.
 * REST and the Kafka ingest path both use this function, so they reject the same inputs alike.
 */
import Ajv from 'ajv';
import definitionSchema from '../../schemas/definition.schema.json';
import type { CalendarLookup } from './calendar';
import { cronProblem, isValidTimeZone } from './cron';
import { windowProblem, type ExecutionWindow } from './execution-windows';
import { shapeProblem } from './schema-errors';
import type { RetryOptions } from './retry-policy';
import { durationMs, scheduleId, type DstPolicy, type Duration, type MisfirePolicy, type ScheduleDefinition, type ScheduleId, type Timing } from './definition';

export type ValidatedDefinition =
  | { ok: true; action: 'UPSERT'; definition: ScheduleDefinition }
  | { ok: true; action: 'DELETE'; id: ScheduleId }
  | { ok: false; field: string; reason: string };

interface DefinitionBody {
  host: string;
  name: string;
  action: 'INSERT' | 'UPDATE' | 'DELETE';
  frequency?: Duration;
  cron?: string;
  timezone?: string;
  dst?: DstPolicy;
  at?: string;
  delay?: Duration;
  start?: string;
  end?: string;
  limit?: number;
  misfire?: MisfirePolicy;
  topic?: string;
  key?: string;
  headers?: Record<string, string>;
  data?: unknown;
  retry?: RetryOptions;
  retryOf?: { id: string; fireId: string; occurrence: number; scheduledAt: string; attempt: number };
  windows?: ExecutionWindow[];
  outsideWindow?: 'defer' | 'skip';
  exclude?: string[];
  jitter?: { maxMs: number };
}

export interface ValidationContext {
  /** The exclusion calendars known: a name in `exclude` it does not find is invalid. */
  calendars: CalendarLookup;
}

const TIMING_FIELDS = ['frequency', 'cron', 'at', 'delay'] as const;

/** ISO-8601 with a date, a time and an explicit offset: "2026-11-22T10:00:00Z", "...+01:00". */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const ajv = new Ajv({ allErrors: false, strict: true });
const checkShape = ajv.compile<DefinitionBody>(definitionSchema);

export function validateDefinition(body: unknown, context?: ValidationContext): ValidatedDefinition {
  if (!checkShape(body)) return { ok: false, ...shapeProblem(checkShape.errors?.[0], body) };
  const id = scheduleId(body.host, body.name);
  if (body.action === 'DELETE') return { ok: true, action: 'DELETE', id };

  const timings = TIMING_FIELDS.filter((field) => body[field] !== undefined);
  if (timings.length !== 1) {
    const given = timings.length === 0 ? 'none' : timings.join(', ');
    return invalid('timing', `exactly one of frequency, cron, at, delay is required for ${body.action}, got ${given}`);
  }
  if (body.topic === undefined) return invalid('topic', `is required for ${body.action}`);
  // Kafka's own rule beyond the characters the schema allows.
  if (body.topic === '.' || body.topic === '..') return invalid('topic', `${JSON.stringify(body.topic)} is not a valid Kafka topic name`);
  const rules = timeRulesProblem(body, context);
  if (rules) return rules;

  const instants: Partial<Record<'at' | 'start' | 'end', number>> = {};
  for (const field of ['at', 'start', 'end'] as const) {
    const text = body[field];
    if (text === undefined) continue;
    const instant = parseInstant(text);
    if (instant === undefined) return invalid(field, `${JSON.stringify(text)} is not an ISO-8601 instant with an offset, such as 2026-01-31T09:00:00Z`);
    instants[field] = instant;
  }
  if (instants.start !== undefined && instants.end !== undefined && instants.end <= instants.start) {
    return invalid('end', `${body.end} is not after start ${body.start}`);
  }

  const backoff = body.retry?.backoff;
  if (backoff?.initialMs !== undefined && backoff.maxMs !== undefined && backoff.maxMs < backoff.initialMs) {
    return invalid('retry.backoff.maxMs', `${backoff.maxMs} is less than retry.backoff.initialMs ${backoff.initialMs}`);
  }

  let retryOf: ScheduleDefinition['retryOf'];
  if (body.retryOf) {
    if (instants.at === undefined) return invalid('retryOf', 'a retry is a one-shot: it needs at');
    if (!body.retryOf.id.startsWith(`${body.host}/`)) return invalid('retryOf.id', `${JSON.stringify(body.retryOf.id)} is not a schedule of host ${body.host}`);
    const scheduledAt = parseInstant(body.retryOf.scheduledAt);
    if (scheduledAt === undefined) return invalid('retryOf.scheduledAt', `${JSON.stringify(body.retryOf.scheduledAt)} is not an ISO-8601 instant with an offset, such as 2026-01-31T09:00:00Z`);
    retryOf = { ...body.retryOf, scheduledAt };
  }

  const timing = toTiming(body, instants.at);
  if (timing.kind === 'cron') {
    const problem = cronProblem(timing.expression, timing.timezone);
    if (problem) return invalid(problem.includes('timezone') ? 'timezone' : 'cron', problem);
  }
  const definition: ScheduleDefinition = {
    id,
    host: body.host,
    name: body.name,
    action: body.action,
    timing,
    topic: body.topic,
    headers: body.headers ?? {},
    data: body.data ?? null,
    misfire: body.misfire ?? 'fire-once',
  };
  if (body.key !== undefined) definition.key = body.key;
  if (instants.start !== undefined) definition.start = instants.start;
  if (instants.end !== undefined) definition.end = instants.end;
  if (body.limit !== undefined) definition.limit = body.limit;
  if (body.retry !== undefined) definition.retry = body.retry;
  if (retryOf) definition.retryOf = retryOf;
  if (timing.kind !== 'cron' && body.timezone !== undefined) definition.timezone = body.timezone;
  if (body.windows !== undefined) definition.windows = body.windows;
  if (body.outsideWindow !== undefined) definition.outsideWindow = body.outsideWindow;
  if (body.exclude !== undefined) definition.exclude = body.exclude;
  if (body.jitter !== undefined) definition.jitter = body.jitter;
  return { ok: true, action: 'UPSERT', definition };
}

/** The fields that read the wall clock: timezone, dst, windows, outsideWindow, exclude. */
function timeRulesProblem(body: DefinitionBody, context: ValidationContext | undefined): ValidatedDefinition | undefined {
  const isCron = body.cron !== undefined;
  if (body.timezone !== undefined && !isCron && body.windows === undefined && body.exclude === undefined) {
    return invalid('timezone', 'applies only to cron, windows and exclude');
  }
  if (body.timezone !== undefined && !isCron && !isValidTimeZone(body.timezone)) return invalid('timezone', `${JSON.stringify(body.timezone)} is not an IANA time zone`);
  if (body.dst !== undefined && !isCron) return invalid('dst', 'applies only to cron');
  for (const [index, window] of (body.windows ?? []).entries()) {
    const problem = windowProblem(window);
    if (problem) return invalid(`windows.${index}.${problem.field}`, problem.reason);
  }
  if (body.outsideWindow !== undefined && body.windows === undefined) return invalid('outsideWindow', 'applies only with windows');
  // A retry keeps the exclusions of its schedule even if a calendar was deleted since: it must not be lost.
  if (context && !body.retryOf) {
    for (const [index, name] of (body.exclude ?? []).entries()) {
      if (!context.calendars(name)) return invalid(`exclude.${index}`, `no calendar is named ${JSON.stringify(name)} (create it with PUT /v1/calendars/${name})`);
    }
  }
  return undefined;
}

function toTiming(body: DefinitionBody, at: number | undefined): Timing {
  if (at !== undefined) return { kind: 'at', at };
  if (body.delay) return { kind: 'delay', delayMs: durationMs(body.delay), given: body.delay };
  if (body.frequency) return { kind: 'frequency', periodMs: durationMs(body.frequency), given: body.frequency };
  const cron: Timing = { kind: 'cron', expression: body.cron ?? '', timezone: body.timezone ?? 'UTC' };
  return body.dst ? { ...cron, dst: body.dst } : cron;
}

function parseInstant(text: string): number | undefined {
  if (!ISO_INSTANT.test(text)) return undefined;
  const instant = Date.parse(text);
  return Number.isNaN(instant) ? undefined : instant;
}

function invalid(field: string, reason: string): ValidatedDefinition {
  return { ok: false, field, reason };
}
