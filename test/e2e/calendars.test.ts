/**
 * Exclusion calendars, windows and jitter against the real broker: calendars written over REST and
 * straight to the compacted topic reach every node's table; an unknown name is refused on both
 * paths; a calendar change moves the next occurrence of the schedules that use it, also when it
 * happened while no node ran; jitter delays an event by the amount its fire id gives.
 */
import type { PunctualConfig } from '../../src/config/config';
import { CalendarTable } from '../../src/cluster/calendar-table';
import { jitterMs } from '../../src/domain/jitter';
import { silentLogger } from '../../src/log/logger';
import type { KafkaPort } from '../../src/kafka/port';
import { waitFor } from '../../src/util/wait-for';
import { produceAll, readCommittedUntil, testPort, uniqueName, valueOf } from '../helpers/kafka';
import { callJson, viewWhen, type JsonAnswer } from '../helpers/rest';
import { anotherNode, definitionRecord, startApiNode, testConfig, type ApiNode } from '../helpers/punctual';

let port: KafkaPort;
let config: PunctualConfig;
let first: ApiNode;
let second: ApiNode;

beforeAll(async () => {
  port = testPort();
  config = testConfig();
  first = await startApiNode(port, config);
  second = await startApiNode(port, anotherNode(config, 'b'));
});

afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
});

const call = (method: string, path: string, body?: unknown, base = first.url): Promise<JsonAnswer> => callJson(base, method, path, body);
const viewOf = (id: string, until?: (view: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => viewWhen(first.url, id, until);

const dayOf = (iso: unknown): string => String(iso).slice(0, 10);
/** An hour of the day 12 hours away: the next occurrence of a daily cron at it cannot pass during a test. */
const farHour = String((new Date().getUTCHours() + 12) % 24).padStart(2, '0');
const dayAfter = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

test('a calendar written over REST is answered at once by the node that wrote it and soon by every other; bad ones are refused naming the field', async () => {
  const name = uniqueName('holidays');
  const put = await call('PUT', `/v1/calendars/${name}`, { dates: ['2026-12-25'], weekdays: ['SUN'], yearly: ['01-01'], ranges: [{ from: '2026-12-28', to: '2026-12-30' }] });
  expect(put.status).toBe(200);
  expect(put.json).toMatchObject({ name, calendar: { name, dates: ['2026-12-25'] } });
  expect((await call('GET', `/v1/calendars/${name}`)).json).toMatchObject({ name, weekdays: ['SUN'] });
  await waitFor('the other node to read it', async () => (await call('GET', `/v1/calendars/${name}`, undefined, second.url)).status === 200);
  expect(((await call('GET', '/v1/calendars', undefined, second.url)).json.calendars as { name: string }[]).map((c) => c.name)).toContain(name);

  expect((await call('PUT', `/v1/calendars/${name}`, { dates: ['2026-02-30'] })).json).toMatchObject({ error: 'invalid_calendar', field: 'dates.0', reason: expect.stringContaining('"2026-02-30" is not a date') });
  expect((await call('PUT', `/v1/calendars/${name}`, { weekdays: ['SUNDAY'] })).json).toMatchObject({ field: 'weekdays.0' });
  expect((await call('PUT', `/v1/calendars/${name}`, { ranges: [{ from: '2026-12-30', to: '2026-12-28' }] })).json).toMatchObject({ field: 'ranges.0.to' });

  expect((await call('DELETE', `/v1/calendars/${name}`)).status).toBe(200);
  expect((await call('GET', `/v1/calendars/${name}`)).status).toBe(404);
  expect((await call('DELETE', `/v1/calendars/${name}`)).status).toBe(404);
});

test('a calendar written in a transaction is read, and the transaction markers after it do not hold a table at start', async () => {
  const name = uniqueName('tx');
  const producer = port.createTransactionalProducer(uniqueName('calendar-writer'));
  await producer.connect();
  try {
    const transaction = await producer.beginTransaction();
    await transaction.send([{ topic: config.topics.calendars, key: name, value: JSON.stringify({ dates: ['2026-12-25'] }) }]);
    await transaction.commit();
  } finally {
    await producer.close();
  }
  // The topic now ends with a commit marker, which is no record: a table must still see its end.
  const table = new CalendarTable({ port, topic: config.topics.calendars, logger: silentLogger });
  try {
    await table.start(10_000);
    expect(table.lookup(name)).toEqual({ name, dates: ['2026-12-25'] });
    await table.caughtUp(10_000);
  } finally {
    await table.stop();
  }
  await waitFor('the running nodes to read it', async () => (await call('GET', `/v1/calendars/${name}`, undefined, second.url)).status === 200);
});

test('a definition naming an unknown calendar is refused over REST and dead-lettered over Kafka; one written to the topic just before is known', async () => {
  const host = uniqueName('cal');
  const refused = await call('PUT', `/v1/schedules/${host}/daily`, { cron: '0 9 * * *', topic: 'cal.out', exclude: ['no-such-calendar'] });
  expect(refused).toMatchObject({ status: 400, json: { field: 'exclude.0', reason: expect.stringContaining('no calendar is named "no-such-calendar"') } });

  // Straight to Kafka, as a service would: a calendar, then at once a definition naming it, and one naming nothing known.
  const fresh = uniqueName('fresh');
  await produceAll(port, [{ topic: config.topics.calendars, key: fresh, value: JSON.stringify({ dates: ['2026-12-25'] }) }]);
  await produceAll(port, [
    definitionRecord(config.topics.definitions, { host, name: 'known', action: 'INSERT', cron: '0 9 * * *', topic: 'cal.out', exclude: [fresh] }),
    definitionRecord(config.topics.definitions, { host, name: 'unknown', action: 'INSERT', cron: '0 9 * * *', topic: 'cal.out', exclude: ['no-such-calendar'] }),
  ]);
  expect(await viewOf(`${host}/known`)).toMatchObject({ definition: { exclude: [fresh] } });
  const isOurs = (key: Buffer | null): boolean => key?.toString() === `${host}/unknown`;
  const deadLetter = (await readCommittedUntil(port, config.topics.dlq, (records) => records.some((r) => isOurs(r.key)))).find((r) => isOurs(r.key));
  expect(deadLetter?.headers['punctual-dlq-reason']).toContain('exclude.0: no calendar is named "no-such-calendar"');
});

test('changing a calendar moves the next occurrence of the schedules that use it, and back', async () => {
  const host = uniqueName('cal');
  const name = uniqueName('closures');
  expect((await call('PUT', `/v1/calendars/${name}`, { dates: ['2000-01-01'] })).status).toBe(200);
  expect((await call('PUT', `/v1/schedules/${host}/daily?wait=applied`, { cron: `0 ${farHour} * * *`, topic: 'cal.out', exclude: [name] })).status).toBe(200);
  const before = await viewOf(`${host}/daily`);
  const nextDay = dayOf(before.nextFireAt);

  // Through the other node: every node's table hears of it, the owner moves the schedule.
  expect((await call('PUT', `/v1/calendars/${name}`, { dates: [nextDay] }, second.url)).status).toBe(200);
  const moved = await viewOf(`${host}/daily`, (view) => dayOf(view.nextFireAt) !== nextDay);
  expect(moved.nextFireAt).toBe(`${dayAfter(nextDay)}T${farHour}:00:00.000Z`);
  expect(moved.occurrencesSkipped).toBe(1);
  const next = await call('GET', `/v1/schedules/${host}/daily/next?count=2`);
  expect(next.json.next).toEqual([`${dayAfter(nextDay)}T${farHour}:00:00.000Z`, `${dayAfter(dayAfter(nextDay))}T${farHour}:00:00.000Z`]);

  expect((await call('PUT', `/v1/calendars/${name}`, { dates: ['2000-01-01'] })).status).toBe(200);
  expect((await viewOf(`${host}/daily`, (view) => dayOf(view.nextFireAt) === nextDay)).nextFireAt).toBe(`${nextDay}T${farHour}:00:00.000Z`);
});

test('the preview shows windows, calendars and jitter', async () => {
  const name = uniqueName('weekends');
  expect((await call('PUT', `/v1/calendars/${name}`, { weekdays: ['SAT', 'SUN'] })).status).toBe(200);
  // Every hour from a Friday 15:00 UTC at least two days ahead, inside 09:00-17:00 UTC, no weekends.
  const day = 86_400_000;
  let friday = Math.ceil((Date.now() + 2 * day) / day) * day;
  while (new Date(friday).getUTCDay() !== 5) friday += day;
  const at = (offsetMs: number): string => new Date(friday + offsetMs).toISOString();
  const preview = await call('POST', '/v1/preview?count=3', {
    frequency: { timeUnit: 'HOURS', time: 1 },
    start: at(15 * 3_600_000),
    windows: [{ days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], from: '09:00', to: '17:00' }],
    exclude: [name],
    jitter: { maxMs: 60_000 },
  });
  expect(preview.status).toBe(200);
  // 17:00 Friday waits for a window; Saturday's and Sunday's are excluded: Monday 09:00.
  expect(preview.json.next).toEqual([at(15 * 3_600_000), at(16 * 3_600_000), at(3 * day + 9 * 3_600_000)]);
  expect(preview.json.fireAt).toEqual((preview.json.next as string[]).map((t) => new Date(Date.parse(t) + jitterMs('preview/preview', Date.parse(t), 60_000)).toISOString()));
});

test('a jittered one-shot is emitted its jitter after its time, with its scheduled time in the event', async () => {
  const host = uniqueName('jit');
  const topic = uniqueName('jit.out');
  const at = Date.now() + 2_000;
  const maxMs = 3_000;
  expect((await call('PUT', `/v1/schedules/${host}/once`, { at: new Date(at).toISOString(), topic, jitter: { maxMs } })).status).toBe(202);
  const [event] = await readCommittedUntil(port, topic, (records) => records.length >= 1, 30_000);
  expect(event?.headers['punctual-scheduled-at']).toBe(String(at));
  const delay = jitterMs(`${host}/once`, at, maxMs);
  expect(JSON.parse(valueOf(event!)).firedAt >= new Date(at + delay).toISOString()).toBe(true);
});

test('a calendar changed while no node ran moves the schedules that use it when their partition starts again', async () => {
  const host = uniqueName('cal');
  const name = uniqueName('closures');
  expect((await call('PUT', `/v1/calendars/${name}`, { dates: ['2000-01-01'] })).status).toBe(200);
  expect((await call('PUT', `/v1/schedules/${host}/daily?wait=applied`, { cron: `30 ${farHour} * * *`, topic: 'cal.out', exclude: [name] })).status).toBe(200);
  const nextDay = dayOf((await viewOf(`${host}/daily`)).nextFireAt);
  await Promise.all([first.stop(), second.stop()]);

  // Straight to the topic, with no node to hear of it.
  await produceAll(port, [{ topic: config.topics.calendars, key: name, value: JSON.stringify({ dates: [nextDay] }) }]);
  first = await startApiNode(port, config);
  second = await startApiNode(port, anotherNode(config, 'b'));
  expect((await viewOf(`${host}/daily`)).nextFireAt).toBe(`${dayAfter(nextDay)}T${farHour}:30:00.000Z`);
});
