import { executionEvent } from '../domain/execution-event';
import type { ScheduleDefinition } from '../domain/definition';
import type { IncomingRecord } from '../kafka/port';
import { parseFire } from './fire';

function recordOf(value: string | null, headers: Record<string, string>, topic = 'emails'): IncomingRecord {
  return { topic, partition: 2, offset: 7, timestamp: 0, key: Buffer.from('k'), value: value === null ? null : Buffer.from(value), headers };
}

const definition = { id: 'shop/daily', host: 'shop', name: 'daily', topic: 'emails', data: { to: 'a@b' }, headers: { trace: 't1' } } as unknown as ScheduleDefinition;

test('an execution event as a node writes it becomes a fire, attempt 1, capability its topic', () => {
  const event = executionEvent(definition, { scheduledAt: Date.UTC(2026, 0, 1), occurrence: 3 }, Date.UTC(2026, 0, 1, 0, 0, 0, 5));
  const parsed = parseFire(recordOf(event.value, event.headers));
  expect(parsed).toEqual({
    fire: expect.objectContaining({ id: 'shop/daily', host: 'shop', name: 'daily', fireId: `shop/daily@${Date.UTC(2026, 0, 1)}`, occurrence: 3, attempt: 1, capability: 'emails', data: { to: 'a@b' }, partition: 2, offset: 7 }),
  });
  if ('fire' in parsed) {
    expect(parsed.fire.scheduledAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(parsed.fire.headers.trace).toBe('t1');
  }
});

test('the attempt and capability headers are read, and a bad attempt is refused with its value', () => {
  const event = executionEvent(definition, { scheduledAt: 1_000, occurrence: 1 }, 1_000);
  const parsed = parseFire(recordOf(event.value, { ...event.headers, 'punctual-attempt': '3', 'punctual-capability': 'sms' }));
  expect('fire' in parsed && { attempt: parsed.fire.attempt, capability: parsed.fire.capability }).toEqual({ attempt: 3, capability: 'sms' });
  expect(parseFire(recordOf(event.value, { ...event.headers, 'punctual-attempt': '0' }))).toEqual({ refused: expect.stringContaining('punctual-attempt must be a whole number of at least 1, got "0"') });
});

test.each([
  ['no fire id header', recordOf('{}', {}), 'no punctual-fire-id header'],
  ['no value', recordOf(null, { 'punctual-fire-id': 'x@1' }), 'has no value'],
  ['a value that is not JSON', recordOf('hello', { 'punctual-fire-id': 'x@1' }), 'not JSON'],
  ['a JSON value without id', recordOf('{"scheduledAt":"2026-01-01T00:00:00Z","occurrence":1}', { 'punctual-fire-id': 'x@1' }), 'no string "id"'],
  ['a bad scheduledAt', recordOf('{"id":"a/b","scheduledAt":"soon","occurrence":1}', { 'punctual-fire-id': 'x@1' }), 'no ISO "scheduledAt", got "soon"'],
  ['a bad occurrence', recordOf('{"id":"a/b","scheduledAt":"2026-01-01T00:00:00Z","occurrence":-1}', { 'punctual-fire-id': 'x@1' }), 'got -1'],
])('a record with %s is refused with the reason', (_name, record, reason) => {
  expect(parseFire(record)).toEqual({ refused: expect.stringContaining(reason) });
});

test('the definition\'s retry and the earlier attempts\' errors are read from their headers; a retry header that is not a JSON object is refused', () => {
  const event = executionEvent({ ...definition, retry: { maxAttempts: 7 } }, { scheduledAt: 1_000, occurrence: 1 }, 1_000);
  const errors = [{ attempt: 1, type: 'Error', message: 'boom', finishedAt: '2026-01-01T00:00:00.000Z' }];
  const parsed = parseFire(recordOf(event.value, { ...event.headers, 'punctual-attempt': '2', 'punctual-attempt-errors': JSON.stringify(errors) }));
  expect('fire' in parsed && { retry: parsed.fire.retry, attemptErrors: parsed.fire.attemptErrors }).toEqual({ retry: { maxAttempts: 7 }, attemptErrors: errors });
  expect(parseFire(recordOf(event.value, { ...event.headers, 'punctual-retry': '[3]' }))).toEqual({ refused: expect.stringContaining('header punctual-retry must be a JSON object, got "[3]"') });
});
