import { executionEvent } from '../domain/execution-event';
import { validateDefinition } from '../domain/definition-validation';
import { timelineOf } from '../domain/timeline';
import type { ScheduleDefinition } from '../domain/definition';
import type { IncomingRecord } from '../kafka/port';
import { parseFire, type Fire } from './fire';
import { fireDeadLetter, retryDefinitionRecord } from './status-record';

const definition = { id: 'shop/mail', host: 'shop', name: 'mail', topic: 'jobs', data: { to: 'a@b' }, headers: { trace: 't1', 'punctual-capability': 'mail.send' }, retry: { maxAttempts: 5 } } as unknown as ScheduleDefinition;

function eventRecord(of: ScheduleDefinition = definition): { record: IncomingRecord; fire: Fire } {
  const event = executionEvent(of, { scheduledAt: 1_000, occurrence: 2 }, 1_005);
  const record: IncomingRecord = { topic: 'jobs', partition: 0, offset: 9, timestamp: 0, key: Buffer.from(event.key), value: Buffer.from(event.value), headers: event.headers };
  const parsed = parseFire(record);
  if (!('fire' in parsed)) throw new Error(parsed.refused);
  return { record, fire: parsed.fire };
}

const firstError = { attempt: 1, type: 'Error', message: 'boom', finishedAt: '2026-01-01T00:00:01.000Z' };

test('a retry keeps the capability, the user headers and the retry policy, carries the errors so far, and drops the node\'s own headers', () => {
  const { record, fire } = eventRecord();
  const retry = retryDefinitionRecord('punctual.definitions', fire, record, 5_000, [firstError]);
  const body = JSON.parse(String(retry.value)) as Record<string, unknown>;
  expect(body).toMatchObject({ host: 'shop', action: 'INSERT', topic: 'jobs', at: '1970-01-01T00:00:05.000Z', retry: { maxAttempts: 5 }, retryOf: { id: 'shop/mail', fireId: 'shop/mail@1000', occurrence: 2, attempt: 2 } });
  expect(body.headers).toEqual({ trace: 't1', 'punctual-capability': 'mail.send', 'punctual-attempt-errors': JSON.stringify([firstError]) });
});

test('the dead letter of a last attempt holds the original event, the reason and every attempt\'s error', () => {
  const { record } = eventRecord();
  const second = { ...firstError, attempt: 2, message: 'again' };
  const letter = fireDeadLetter('punctual.executions.dlq', record, 'attempt 2 of 2 failed', [firstError, second]);
  expect(letter.value).toEqual(record.value);
  expect(letter.headers).toMatchObject({ 'punctual-dlq-reason': 'attempt 2 of 2 failed', 'punctual-fire-id': 'shop/mail@1000', 'punctual-attempt-errors': JSON.stringify([firstError, second]) });
});

test("a retry obeys its schedule's windows and exclusions: one due outside every window waits for the next opening", () => {
  const windowed = { ...definition, timing: { kind: 'cron', expression: '0 9 * * *', timezone: 'Europe/Berlin' }, windows: [{ days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], from: '09:00', to: '17:00' }], exclude: ['holidays'] } as ScheduleDefinition;
  const { record, fire } = eventRecord(windowed);
  // Due Friday 2026-12-04 18:00 Berlin, after the window closed.
  const retry = retryDefinitionRecord('punctual.definitions', fire, record, Date.parse('2026-12-04T17:00:00Z'), [firstError]);
  const body = JSON.parse(String(retry.value)) as Record<string, unknown>;
  expect(body).toMatchObject({ timezone: 'Europe/Berlin', windows: windowed.windows, exclude: ['holidays'] });
  // Valid even after the calendar is gone: a retry is never refused for it.
  const validated = validateDefinition(body, { calendars: () => undefined });
  if (!validated.ok || validated.action !== 'UPSERT') throw new Error(`expected a valid retry, got ${JSON.stringify(validated)}`);
  expect(new Date(timelineOf(validated.definition, 0).next() ?? 0).toISOString()).toBe('2026-12-07T08:00:00.000Z');
});
