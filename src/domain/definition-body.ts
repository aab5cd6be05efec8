/**
 * A definition written back as the body a client sends (light-scheduler's TaskDefinition shape:
 * host, name, action, frequency {timeUnit, time}, topic, start, data, ...). The inverse of
 * validateDefinition: validating the body gives the same definition back.
 */
import type { DstPolicy, Duration, ScheduleDefinition, Timing } from './definition';

export interface TaskDefinitionBody {
  host: string;
  name: string;
  action: 'INSERT' | 'UPDATE';
  frequency?: Duration;
  delay?: Duration;
  at?: string;
  cron?: string;
  timezone?: string;
  dst?: DstPolicy;
  start?: string;
  end?: string;
  limit?: number;
  misfire?: ScheduleDefinition['misfire'];
  topic: string;
  key?: string;
  headers?: Record<string, string>;
  data: unknown;
  retry?: ScheduleDefinition['retry'];
  retryOf?: { id: string; fireId: string; occurrence: number; scheduledAt: string; attempt: number };
  windows?: ScheduleDefinition['windows'];
  outsideWindow?: ScheduleDefinition['outsideWindow'];
  exclude?: string[];
  jitter?: ScheduleDefinition['jitter'];
}

export function definitionBody(definition: ScheduleDefinition): TaskDefinitionBody {
  const iso = (t: number): string => new Date(t).toISOString();
  const body: TaskDefinitionBody = { host: definition.host, name: definition.name, action: definition.action, ...timingFields(definition.timing), topic: definition.topic, data: definition.data };
  if (definition.start !== undefined) body.start = iso(definition.start);
  if (definition.end !== undefined) body.end = iso(definition.end);
  if (definition.limit !== undefined) body.limit = definition.limit;
  if (definition.misfire !== 'fire-once') body.misfire = definition.misfire;
  if (definition.key !== undefined) body.key = definition.key;
  if (Object.keys(definition.headers).length > 0) body.headers = definition.headers;
  if (definition.retry !== undefined) body.retry = definition.retry;
  if (definition.retryOf) body.retryOf = { ...definition.retryOf, scheduledAt: iso(definition.retryOf.scheduledAt) };
  if (definition.timezone !== undefined) body.timezone = definition.timezone;
  if (definition.windows !== undefined) body.windows = definition.windows;
  if (definition.outsideWindow !== undefined) body.outsideWindow = definition.outsideWindow;
  if (definition.exclude !== undefined) body.exclude = definition.exclude;
  if (definition.jitter !== undefined) body.jitter = definition.jitter;
  return body;
}

function timingFields(timing: Timing): Pick<TaskDefinitionBody, 'frequency' | 'delay' | 'at' | 'cron' | 'timezone' | 'dst'> {
  switch (timing.kind) {
    case 'at':
      return { at: new Date(timing.at).toISOString() };
    case 'delay':
      return { delay: timing.given ?? { timeUnit: 'MILLISECONDS', time: timing.delayMs } };
    case 'frequency':
      return { frequency: timing.given ?? { timeUnit: 'MILLISECONDS', time: timing.periodMs } };
    case 'cron':
      return timing.dst ? { cron: timing.expression, timezone: timing.timezone, dst: timing.dst } : { cron: timing.expression, timezone: timing.timezone };
  }
}
