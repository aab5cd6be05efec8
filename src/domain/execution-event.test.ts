import { executionEvent } from './execution-event';
import type { ScheduleDefinition } from './definition';

const definition: ScheduleDefinition = {
  id: 'demo/hello',
  host: 'demo',
  name: 'hello',
  action: 'INSERT',
  timing: { kind: 'at', at: 1_700_000_000_000 },
  topic: 'demo.out',
  headers: { team: 'blue', 'punctual-id': 'spoofed' },
  data: { x: 1 },
  misfire: 'fire-once',
};

test('the execution event carries the design fields, the schedule id as key and the fire id header', () => {
  const event = executionEvent(definition, { scheduledAt: 1_700_000_000_000, occurrence: 1 }, 1_700_000_000_005);
  expect(event.key).toBe('demo/hello');
  expect(JSON.parse(event.value)).toEqual({
    id: 'demo/hello',
    host: 'demo',
    name: 'hello',
    scheduledAt: '2023-11-14T22:13:20.000Z',
    firedAt: '2023-11-14T22:13:20.005Z',
    occurrence: 1,
    data: { x: 1 },
  });
  expect(event.headers).toEqual({
    team: 'blue',
    'punctual-id': 'demo/hello',
    'punctual-scheduled-at': '1700000000000',
    'punctual-occurrence': '1',
    'punctual-fire-id': 'demo/hello@1700000000000',
  });
});

test('the definition key, when given, is the event key', () => {
  expect(executionEvent({ ...definition, key: 'order-7' }, { scheduledAt: 0, occurrence: 1 }, 0).key).toBe('order-7');
});

test('a retry one-shot fires as the occurrence it retries: its id, fire id, occurrence and due time, and the attempt', () => {
  const retry: ScheduleDefinition = {
    ...definition,
    id: 'demo/hello:retry:1000:2',
    name: 'hello:retry:1000:2',
    key: 'order-7',
    retryOf: { id: 'demo/hello', fireId: 'demo/hello@1000', occurrence: 4, scheduledAt: 1_000, attempt: 2 },
  };
  const event = executionEvent(retry, { scheduledAt: 1_700_000_000_000, occurrence: 1 }, 1_700_000_000_003);
  expect(event.key).toBe('order-7');
  expect(event.headers).toEqual({ team: 'blue', 'punctual-id': 'demo/hello', 'punctual-scheduled-at': '1000', 'punctual-occurrence': '4', 'punctual-fire-id': 'demo/hello@1000', 'punctual-attempt': '2' });
  expect(JSON.parse(event.value)).toEqual({ id: 'demo/hello', host: 'demo', name: 'hello', scheduledAt: '1970-01-01T00:00:01.000Z', firedAt: new Date(1_700_000_000_003).toISOString(), occurrence: 4, data: { x: 1 } });
});

test('a definition with a retry policy carries it as JSON in the punctual-retry header; one without has none', () => {
  const retry = { maxAttempts: 4, backoff: { type: 'fixed' as const, initialMs: 200 } };
  const event = executionEvent({ ...definition, retry }, { scheduledAt: 1_700_000_000_000, occurrence: 1 }, 1_700_000_000_005);
  expect(JSON.parse(event.headers['punctual-retry'] ?? 'null')).toEqual(retry);
  expect(executionEvent(definition, { scheduledAt: 1_700_000_000_000, occurrence: 1 }, 1_700_000_000_005).headers['punctual-retry']).toBeUndefined();
});
