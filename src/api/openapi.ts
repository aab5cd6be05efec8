/** The OpenAPI 3.1 document served at /openapi.json; a test checks it against the routes express serves. */
import calendarSchema from '../../schemas/calendar.schema.json';
import definitionSchema from '../../schemas/definition.schema.json';
import { CONTROLS, MAX_BACKFILL_PER_SECOND, MAX_REASON_LENGTH, MAX_SKIP } from '../domain/schedule-control';
import { ID_PART_PATTERN } from '../domain/schedule-id';

const pathParameters = [
  { name: 'host', in: 'path', required: true, schema: { type: 'string', pattern: ID_PART_PATTERN } },
  { name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: ID_PART_PATTERN } },
];

const json = (schema: object): object => ({ 'application/json': { schema } });
const ref = (name: string): object => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string): object => ({ description, content: json(ref('Error')) });
const waitParameter = { name: 'wait', in: 'query', required: false, schema: { enum: ['applied'] }, description: 'Answer 200 once the owning node applied the write (504 after 10 s).' };

const writeResponses = {
  '200': { description: 'Written and applied (with wait=applied).', content: json(ref('WriteReceipt')) },
  '202': { description: 'Written to Kafka with acks=all.', content: json(ref('WriteReceipt')) },
  '400': error('Invalid definition; `field` names the field.'),
  '413': error('Body over the size limit.'),
  '503': error('Kafka did not acknowledge the write; nothing was stored.'),
  '504': error('Written but not applied in time (wait=applied).'),
};

/** A control operation: the record it writes to the definitions topic is ControlRecord with this body's fields. */
function controlPath(summary: string, body: object): { parameters: object[]; post: object } {
  return {
    parameters: pathParameters,
    post: {
      summary,
      parameters: [waitParameter],
      requestBody: { required: false, content: json(body) },
      responses: { ...writeResponses, '404': error('No such schedule.'), '409': error('Not applicable to this schedule now (a backfill of a one-shot, or a second backfill).') },
    },
  };
}

const document = {
  openapi: '3.1.0',
  info: { title: 'Punctual', version: '0.1.0', description: 'Kafka-native event scheduler: schedules, health and metrics of a node.' },
  paths: {
    '/schedulers': {
      get: {
        summary: "light-scheduler's list: its TaskDefinitions across the cluster, in the shape they were written",
        parameters: [
          { name: 'host', in: 'query', schema: { type: 'string' } },
          { name: 'name', in: 'query', schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'Definitions; header punctual-partial: true when some partitions did not answer.', content: json({ type: 'array', items: { type: 'object' } }) } },
      },
      post: {
        summary: "light-scheduler's INSERT, UPDATE or DELETE",
        parameters: [waitParameter],
        requestBody: { required: true, content: json(ref('Definition')) },
        responses: { ...writeResponses, '404': error('UPDATE or DELETE of an unknown schedule.'), '409': error('INSERT of an existing schedule.') },
      },
    },
    '/v1/schedules': {
      get: {
        summary: 'Schedules across the cluster, in id order, paged',
        parameters: [
          { name: 'host', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          { name: 'cursor', in: 'query', schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'A page; partial and missingPartitions say which partitions did not answer.', content: json(ref('SchedulePage')) } },
      },
    },
    '/v1/schedules/{host}/{name}': {
      parameters: pathParameters,
      get: { summary: 'A schedule: definition and state, from the owning node', responses: { '200': { description: 'The schedule.', content: json(ref('Schedule')) }, '404': error('No such schedule.'), '503': error('No node answered for its partition.') } },
      put: { summary: 'Create or replace; the same definition again changes nothing (the run goes on)', parameters: [waitParameter], requestBody: { required: true, content: json({ type: 'object' }) }, responses: writeResponses },
      delete: { summary: 'Delete', parameters: [waitParameter], responses: { ...writeResponses, '404': error('No such schedule.') } },
    },
    '/v1/schedules/{host}/{name}/next': {
      parameters: pathParameters,
      get: {
        summary: 'The next fire times of a schedule',
        parameters: [{ name: 'count', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 10 } }],
        responses: { '200': { description: 'Scheduled instants after windows and calendars (next) and when each is emitted, plus its jitter (fireAt).', content: json(ref('FireTimes')) }, '404': error('No such schedule.') },
      },
    },
    '/v1/schedules/{host}/{name}/history': {
      parameters: pathParameters,
      get: {
        summary: "Recent occurrences' outcomes as executors reported them (attempts, status, duration, error), latest first",
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 20 } }],
        responses: {
          '200': { description: 'The history; kept for an ended schedule until it ages out (history.retentionMs).', content: json(ref('HistoryPage')) },
          '404': error('No such schedule, and no history kept for it.'),
        },
      },
    },
    '/v1/schedules/{host}/{name}/pause': controlPath('Pause: no occurrence fires and a backfill waits until resumed; what comes due meanwhile meets the misfire policy on resume', { type: 'object', properties: { reason: { type: 'string', minLength: 1, maxLength: MAX_REASON_LENGTH } }, required: ['reason'], additionalProperties: false }),
    '/v1/schedules/{host}/{name}/resume': controlPath('Resume; the state counts the occurrences that came due while paused (resumed.passedWhilePaused)', { type: 'object', properties: { reason: { type: 'string', maxLength: MAX_REASON_LENGTH } }, additionalProperties: false }),
    '/v1/schedules/{host}/{name}/trigger': controlPath('One extra fire now, with its own fire id (<id>@<ms>/trigger-<offset>), occurrence 0 and header punctual-origin: trigger; the regular occurrences do not move', { type: 'object', additionalProperties: false }),
    '/v1/schedules/{host}/{name}/skip': controlPath('Skip the next count occurrences without pausing (counted in occurrencesSkipped)', { type: 'object', properties: { count: { type: 'integer', minimum: 1, maximum: MAX_SKIP } }, required: ['count'], additionalProperties: false }),
    '/v1/schedules/{host}/{name}/backfill': {
      ...controlPath('Emit the occurrences of the past range [from, to) again, at most perSecond a second, with their regular fire ids, occurrence 0 and header punctual-origin: backfill; progress in the state (backfill, lastBackfill). One at a time', {
        type: 'object',
        properties: { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' }, perSecond: { type: 'number', exclusiveMinimum: 0, maximum: MAX_BACKFILL_PER_SECOND } },
        required: ['from', 'to', 'perSecond'],
        additionalProperties: false,
      }),
      delete: { summary: 'Cancel the backfill in progress; lastBackfill keeps what it emitted', parameters: [waitParameter], responses: { ...writeResponses, '404': error('No such schedule.') } },
    },
    '/v1/preview': {
      post: {
        summary: 'The next fire times of a definition that is not saved (host, name, action, topic optional)',
        parameters: [{ name: 'count', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 10 } }],
        requestBody: { required: true, content: json({ type: 'object' }) },
        responses: { '200': { description: 'Scheduled instants after windows and calendars (next) and when each is emitted, plus its jitter (fireAt).', content: json(ref('FireTimes')) }, '400': error('Invalid definition.') },
      },
    },
    '/v1/calendars': {
      get: { summary: 'Every exclusion calendar (shared by all tenants), as this node has read them', responses: { '200': { description: 'The calendars.', content: json({ type: 'object', properties: { calendars: { type: 'array', items: ref('Calendar') } } }) } } },
    },
    '/v1/calendars/{name}': {
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: ID_PART_PATTERN } }],
      get: { summary: 'One exclusion calendar', responses: { '200': { description: 'The calendar.', content: json(ref('Calendar')) }, '404': error('No such calendar.') } },
      put: {
        summary: "Create or replace; answered once this node's table has it. Schedules that exclude it find their next occurrence again. Needs schedules:write for all hosts",
        requestBody: { required: true, content: json(ref('Calendar')) },
        responses: { '200': { description: 'Written with acks=all and read back.', content: json(ref('CalendarReceipt')) }, '400': error('Invalid calendar; `field` names the field.'), '503': error('Kafka did not acknowledge the write, or this node did not read it back within 10 s.') },
      },
      delete: { summary: 'Delete; schedules that excluded it exclude nothing for it from then on. Needs schedules:write for all hosts', responses: { '200': { description: 'The tombstone is written and read back.', content: json(ref('CalendarReceipt')) }, '404': error('No such calendar.') } },
    },
    '/health/live': { get: { summary: 'Liveness', responses: { '200': { description: 'The process runs.' } } } },
    '/health/ready': { get: { summary: 'Readiness', responses: { '200': { description: 'Every owned partition runs.' }, '503': { description: 'Not ready.' } } } },
    '/metrics': { get: { summary: 'Prometheus metrics (docs/metrics.md)', responses: { '200': { description: 'Text exposition format.' } } } },
    '/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1.' } } } },
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Required when auth.mode is jwt (docs/configuration.md): scopes schedules:read and schedules:write, and the hosts a token may touch.' },
    },
    schemas: {
      Definition: definitionSchema,
      Calendar: calendarSchema,
      CalendarReceipt: { type: 'object', properties: { name: { type: 'string' }, partition: { type: 'integer' }, offset: { type: 'integer' }, calendar: ref('Calendar'), deleted: { type: 'boolean' } }, required: ['name', 'partition', 'offset'] },
      FireTimes: { type: 'object', properties: { id: { type: 'string' }, next: { type: 'array', items: { type: 'string' } }, fireAt: { type: 'array', items: { type: 'string' } } }, required: ['next', 'fireAt'] },
      WriteReceipt: { type: 'object', properties: { id: { type: 'string' }, partition: { type: 'integer' }, offset: { type: 'integer' }, applied: { type: 'boolean' } }, required: ['id', 'partition', 'offset'] },
      Schedule: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          host: { type: 'string' },
          name: { type: 'string' },
          status: { enum: ['scheduled', 'paused'] },
          nextFireAt: { type: ['string', 'null'] },
          occurrencesFired: { type: 'integer' },
          occurrencesMissed: { type: 'integer' },
          occurrencesSkipped: { type: 'integer', description: 'Occurrences execution windows and exclusion calendars dropped.' },
          nextEmitAt: { type: ['string', 'null'], description: 'When the next occurrence is emitted: nextFireAt plus its jitter.' },
          lastScheduledAt: { type: ['string', 'null'] },
          lastFiredAt: { type: ['string', 'null'] },
          appliedOffset: { type: 'integer' },
          remaining: { type: ['integer', 'null'] },
          definition: { type: 'object' },
          lastOutcome: { oneOf: [ref('OccurrenceOutcome'), { type: 'null' }], description: 'The latest occurrence\'s outcome (single schedule reads only).' },
          paused: { type: 'object', properties: { reason: { type: 'string' }, since: { type: 'string' } }, description: 'Only while paused.' },
          resumed: { type: 'object', properties: { at: { type: 'string' }, reason: { type: 'string' }, passedWhilePaused: { type: 'integer' } }, description: 'The latest resume.' },
          skipNext: { type: 'integer', description: 'Occurrences still to skip.' },
          pendingTriggers: { type: 'integer', description: 'Triggered fires not yet emitted.' },
          triggered: { type: 'integer', description: 'Triggered fires emitted.' },
          backfill: ref('Backfill'),
          lastBackfill: { allOf: [ref('Backfill')], type: 'object', properties: { endedAt: { type: 'string' }, cancelled: { type: 'boolean' } } },
        },
      },
      Backfill: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' }, perSecond: { type: 'number' }, emitted: { type: 'integer' }, next: { type: ['string', 'null'] } }, required: ['from', 'to', 'perSecond', 'emitted', 'next'] },
      ControlRecord: {
        type: 'object',
        description: 'A control record on the definitions topic, key <host>/<name>: what the control routes write, for services without HTTP. Refused ones go to the dead letter topic with the reason.',
        properties: { control: { enum: [...CONTROLS] }, host: { type: 'string', pattern: ID_PART_PATTERN }, name: { type: 'string', pattern: ID_PART_PATTERN }, reason: { type: 'string' }, count: { type: 'integer' }, from: { type: 'string' }, to: { type: 'string' }, perSecond: { type: 'number' } },
        required: ['control', 'host', 'name'],
      },
      OccurrenceOutcome: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          fireId: { type: 'string' },
          occurrence: { type: 'integer' },
          scheduledAt: { type: 'string' },
          status: { enum: ['started', 'succeeded', 'retrying', 'dead-lettered'] },
          result: {},
          attempts: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                attempt: { type: 'integer' },
                result: { enum: ['started', 'succeeded', 'failed'] },
                executorId: { type: 'string' },
                capability: { type: 'string' },
                startedAt: { type: 'string' },
                finishedAt: { type: 'string' },
                durationMs: { type: 'number' },
                error: { type: 'object', properties: { type: { type: 'string' }, message: { type: 'string' } } },
                nextAttemptAt: { type: 'string' },
              },
              required: ['attempt', 'result', 'executorId', 'startedAt'],
            },
          },
        },
        required: ['id', 'fireId', 'occurrence', 'scheduledAt', 'status', 'attempts'],
      },
      HistoryPage: { type: 'object', properties: { id: { type: 'string' }, items: { type: 'array', items: ref('OccurrenceOutcome') } }, required: ['id', 'items'] },
      SchedulePage: {
        type: 'object',
        properties: { items: { type: 'array', items: ref('Schedule') }, nextCursor: { type: ['string', 'null'] }, partial: { type: 'boolean' }, missingPartitions: { type: 'array', items: { type: 'integer' } } },
      },
      Error: { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' }, reason: { type: 'string' } }, required: ['error', 'message'] },
    },
  },
};

/** The schedules operations (not health, metrics or this document) need a token when auth is on. */
const SECURED = /^\/(schedulers|v1)\b/;
const authResponses = { '401': error('Auth is on and the token is missing, invalid or expired.'), '403': error('The token lacks the scope this operation needs.') };
/** Any of them can meet a broker outage: 503 with a Retry-After header, never 500. */
const unavailableResponse = { '503': error('Kafka is unavailable, or no node answered for the partition; retry after the Retry-After header (seconds).') };

function secured(paths: typeof document.paths): typeof document.paths {
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => {
      if (!SECURED.test(path)) return [path, item];
      const operations = Object.entries(item).map(([method, operation]) =>
        method === 'parameters' ? [method, operation] : [method, { ...operation, security: [{ bearer: [] }], responses: { ...unavailableResponse, ...(operation as { responses: object }).responses, ...authResponses } }],
      );
      return [path, Object.fromEntries(operations)];
    }),
  ) as typeof document.paths;
}

export const openApiDocument = { ...document, paths: secured(document.paths) };
