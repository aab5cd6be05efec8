/**
 * Control of running schedules against the real broker, two nodes, events read with read_committed:
 * pause and resume over REST (what came due while paused meets the misfire policy and is counted);
 * skip and trigger as control records produced straight to the definitions topic (exactly the
 * expected fire ids); backfill over REST, paced by its throttle, and one cancelled midway; bad
 * control records refused naming the field, over REST and to the dead letter topic.
 */
import type { PunctualConfig } from '../../src/config/config';
import type { IncomingRecord, KafkaPort } from '../../src/kafka/port';
import { sleep } from '../../src/util/sleep';
import { waitFor } from '../../src/util/wait-for';
import { createTopic, produceAll, readCommittedUntil, testPort, uniqueName } from '../helpers/kafka';
import { callJson, viewWhen, type JsonAnswer } from '../helpers/rest';
import { anotherNode, definitionRecord, startApiNode, testConfig, type ApiNode } from '../helpers/punctual';

jest.setTimeout(90_000);

const PERIOD_MS = 1_000;

let port: KafkaPort;
let config: PunctualConfig;
let first: ApiNode;
let second: ApiNode;

beforeAll(async () => {
  port = testPort();
  // Occurrences more than a second late are misfires: a few seconds of pause make them so.
  config = testConfig({ PUNCTUAL_MISFIRE_THRESHOLD_MS: '1000' });
  first = await startApiNode(port, config);
  second = await startApiNode(port, anotherNode(config, 'b'));
});

afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
});

const call = (method: string, path: string, body?: unknown, base = first.url): Promise<JsonAnswer> => callJson(base, method, path, body);
const viewOf = (id: string, until?: (view: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => viewWhen(first.url, id, until);

interface Fire {
  fireId: string;
  scheduledAt: number;
  firedAt: number;
  occurrence: number;
  origin: string | undefined;
}

function firesOf(records: IncomingRecord[], id: string): Fire[] {
  return records
    .filter((record) => record.headers['punctual-id'] === id)
    .map((record) => {
      const value = JSON.parse(record.value?.toString() ?? '{}') as { scheduledAt: string; firedAt: string; occurrence: number };
      return { fireId: record.headers['punctual-fire-id'] ?? '', scheduledAt: Date.parse(value.scheduledAt), firedAt: Date.parse(value.firedAt), occurrence: value.occurrence, origin: record.headers['punctual-origin'] };
    });
}

async function newTopic(): Promise<string> {
  const topic = uniqueName('control-out');
  await createTopic(port, topic, 1);
  return topic;
}

/** A whole second a few seconds from now: frequency occurrences align to it. */
const secondsFromNow = (seconds: number): number => Math.ceil(Date.now() / 1_000) * 1_000 + seconds * 1_000;

test('pause and resume over REST: nothing fires while paused; on resume what passed meets the misfire policy (skip) and is counted', async () => {
  const topic = await newTopic();
  const name = uniqueName('pause');
  const id = `ctl/${name}`;
  const start = secondsFromNow(1);
  expect((await call('PUT', `/v1/schedules/${id}?wait=applied`, { topic, frequency: { timeUnit: 'MILLISECONDS', time: PERIOD_MS }, start: new Date(start).toISOString(), misfire: 'skip' })).status).toBe(200);
  await readCommittedUntil(port, topic, (records) => firesOf(records, id).length >= 2);

  expect((await call('POST', `/v1/schedules/${id}/pause`, {})).json).toMatchObject({ error: 'invalid_definition', field: 'reason' });
  const paused = await call('POST', `/v1/schedules/${id}/pause?wait=applied`, { reason: 'month-end freeze' });
  expect(paused.status).toBe(200);
  // Applied on the owner: no occurrence of the regular run goes out from here until the resume.
  const pauseApplied = Date.now();
  // The other node answers the same, from the owner.
  expect((await call('GET', `/v1/schedules/${id}`, undefined, second.url)).json).toMatchObject({ status: 'paused', paused: { reason: 'month-end freeze' }, nextEmitAt: null });
  await sleep(4_500);
  const resumed = await call('POST', `/v1/schedules/${id}/resume?wait=applied`, { reason: 'freeze over' });
  expect(resumed.status).toBe(200);
  const view = await viewOf(id);
  expect(view).toMatchObject({ status: 'scheduled', resumed: { reason: 'freeze over' } });
  expect(view.paused).toBeUndefined();
  const resumedAt = Date.parse(String((view.resumed as { at: string }).at));
  const passed = (view.resumed as { passedWhilePaused: number }).passedWhilePaused;
  expect(passed).toBeGreaterThanOrEqual(3);

  const records = await readCommittedUntil(port, topic, (all) => firesOf(all, id).some((fire) => fire.scheduledAt >= resumedAt + 2 * PERIOD_MS));
  const fires = firesOf(records, id);
  const times = fires.map((fire) => fire.scheduledAt);
  expect(new Set(fires.map((fire) => fire.fireId)).size).toBe(fires.length);
  expect(fires.every((fire) => fire.fireId === `${id}@${fire.scheduledAt}`)).toBe(true);
  // One gap, the pause's: every occurrence before and after it, once, in order.
  const gaps = times.slice(1).map((t, i) => t - (times[i] as number)).filter((gap) => gap !== PERIOD_MS);
  expect(gaps).toHaveLength(1);
  const missing = (gaps[0] as number) / PERIOD_MS - 1;
  const finalView = await viewOf(id);
  // skip: the late ones are dropped and counted as missed; those still within the threshold fire.
  expect(finalView.occurrencesMissed).toBe(missing);
  const firedOnResume = fires.filter((fire) => fire.scheduledAt <= resumedAt && fire.firedAt >= resumedAt).length;
  expect(passed).toBe(missing + firedOnResume);
  // Nothing of the regular run was emitted between the pause and the resume.
  expect(fires.filter((fire) => fire.firedAt > pauseApplied && fire.firedAt < resumedAt)).toEqual([]);
  expect(fires.every((fire) => fire.origin === undefined)).toBe(true);
});

test('skip and trigger produced straight to the definitions topic: exactly the expected fire ids', async () => {
  const topic = await newTopic();
  const name = uniqueName('skip');
  const id = `ctl/${name}`;
  const start = secondsFromNow(6);
  const definition = { host: 'ctl', name, action: 'INSERT', topic, frequency: { timeUnit: 'MILLISECONDS', time: PERIOD_MS }, start: new Date(start).toISOString(), misfire: 'fire-all' };
  // In order on the schedule's partition, all before its first occurrence: the two first are skipped.
  await produceAll(port, [
    definitionRecord(config.topics.definitions, definition),
    definitionRecord(config.topics.definitions, { control: 'skip', host: 'ctl', name, count: 2 }),
    definitionRecord(config.topics.definitions, { control: 'trigger', host: 'ctl', name }),
  ]);
  // Next leaves out what the skip drops.
  const next = await waitFor('the skip applied', async () => {
    const view = await call('GET', `/v1/schedules/${id}`);
    return view.json.skipNext === 2 ? (await call('GET', `/v1/schedules/${id}/next?count=2`)).json : undefined;
  }, { timeoutMs: 5_000 });
  expect(next.next).toEqual([2, 3].map((k) => new Date(start + k * PERIOD_MS).toISOString()));
  const records = await readCommittedUntil(port, topic, (all) => firesOf(all, id).filter((fire) => fire.origin === undefined).length >= 3);
  const fires = firesOf(records, id);
  const triggered = fires.filter((fire) => fire.origin === 'trigger');
  expect(triggered).toHaveLength(1);
  expect(triggered[0]?.fireId).toMatch(new RegExp(`^${id}@\\d+/trigger-\\d+$`));
  expect(triggered[0]?.occurrence).toBe(0);
  expect(triggered[0]?.firedAt).toBeLessThan(start);
  const regular = fires.filter((fire) => fire.origin === undefined).slice(0, 3);
  expect(regular.map((fire) => fire.fireId)).toEqual([2, 3, 4].map((k) => `${id}@${start + k * PERIOD_MS}`));
  expect(regular.map((fire) => fire.occurrence)).toEqual([1, 2, 3]);
  const view = await viewOf(id, (v) => v.occurrencesSkipped === 2);
  expect(view).toMatchObject({ triggered: 1, occurrencesSkipped: 2 });
  expect(view.skipNext).toBeUndefined();
  await call('DELETE', `/v1/schedules/${id}`);
});

test('bad control records are dead-lettered naming the field; REST refuses them the same way, and answers 404 and 409', async () => {
  const name = uniqueName('bad');
  const id = `ctl/${name}`;
  const oneShot = { topic: await newTopic(), at: new Date(Date.now() + 3_600_000).toISOString() };
  expect((await call('PUT', `/v1/schedules/${id}?wait=applied`, oneShot)).status).toBe(200);
  await produceAll(port, [
    definitionRecord(config.topics.definitions, { control: 'skip', host: 'ctl', name, count: 0 }),
    definitionRecord(config.topics.definitions, { control: 'trigger', host: 'ctl', name: `${name}-none` }),
    definitionRecord(config.topics.definitions, { control: 'backfill', host: 'ctl', name, from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', perSecond: 5 }),
  ]);
  const ours = (record: IncomingRecord): boolean => record.key?.toString().startsWith(id) ?? false;
  const dead = (await readCommittedUntil(port, config.topics.dlq, (records) => records.filter(ours).length >= 3)).filter(ours);
  // The unknown schedule's record may sit on another partition: no order between them.
  const reasons = dead.map((record) => record.headers['punctual-dlq-reason']);
  expect(reasons).toHaveLength(3);
  expect(reasons).toEqual(
    expect.arrayContaining([
      expect.stringContaining('count: must be a whole number from 1 to 100000, got 0'),
      `key: schedule ${id}-none does not exist`,
      expect.stringContaining('control: a backfill needs a recurring schedule (frequency or cron)'),
    ]),
  );

  expect((await call('POST', `/v1/schedules/${id}/skip`, { count: 0 })).json).toMatchObject({ error: 'invalid_definition', field: 'count' });
  expect((await call('POST', `/v1/schedules/${id}/skip`, { count: 1, extra: true })).json).toMatchObject({ field: 'extra' });
  expect((await call('POST', `/v1/schedules/${id}/backfill`, { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', perSecond: 5 })).status).toBe(409);
  expect((await call('POST', `/v1/schedules/ctl/${name}-none/trigger`)).status).toBe(404);
  expect((await call('POST', `/v1/schedules/${id}/backfill`, { from: '2026-01-01T00:00:00Z', to: '2099-01-02T00:00:00Z', perSecond: 5 })).json).toMatchObject({ field: 'to', reason: expect.stringContaining('in the future') });
});

test('backfill over REST: exactly the occurrences of [from, to), paced by the throttle, progress in the state; a second one is cancelled midway', async () => {
  const topic = await newTopic();
  const name = uniqueName('backfill');
  const id = `ctl/${name}`;
  expect((await call('PUT', `/v1/schedules/${id}?wait=applied`, { topic, frequency: { timeUnit: 'MILLISECONDS', time: PERIOD_MS } })).status).toBe(200);
  const from = Math.floor(Date.now() / 1_000) * 1_000 - 120_000;
  const to = from + 10 * PERIOD_MS;
  const asked = await call('POST', `/v1/schedules/${id}/backfill?wait=applied`, { from: new Date(from).toISOString(), to: new Date(to).toISOString(), perSecond: 5 });
  expect(asked.status).toBe(200);
  expect((await call('POST', `/v1/schedules/${id}/backfill`, { from: new Date(from).toISOString(), to: new Date(to).toISOString(), perSecond: 5 })).status).toBe(409);

  const backfilled = (records: IncomingRecord[]): Fire[] => firesOf(records, id).filter((fire) => fire.origin === 'backfill');
  const done = backfilled(await readCommittedUntil(port, topic, (records) => backfilled(records).length >= 10));
  expect(done.map((fire) => fire.fireId)).toEqual(Array.from({ length: 10 }, (_, k) => `${id}@${from + k * PERIOD_MS}`));
  // 5 per second: the tenth goes out no earlier than 9 / 5 s after the first.
  expect((done[9]?.firedAt ?? 0) - (done[0]?.firedAt ?? 0)).toBeGreaterThanOrEqual(1_800);
  const view = await viewOf(id, (v) => v.lastBackfill !== undefined);
  expect(view.lastBackfill).toMatchObject({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), emitted: 10, next: null, cancelled: false });
  expect(view.backfill).toBeUndefined();

  // An hour at 2 per second, cancelled once a few went out.
  const longFrom = from - 3_600_000;
  expect((await call('POST', `/v1/schedules/${id}/backfill?wait=applied`, { from: new Date(longFrom).toISOString(), to: new Date(from).toISOString(), perSecond: 2 })).status).toBe(200);
  await viewOf(id, (v) => ((v.backfill as { emitted: number } | undefined)?.emitted ?? 0) >= 2);
  expect((await call('DELETE', `/v1/schedules/${id}/backfill?wait=applied`)).status).toBe(200);
  const cancelled = await viewOf(id);
  expect(cancelled.backfill).toBeUndefined();
  const emitted = (cancelled.lastBackfill as { emitted: number; cancelled: boolean }).emitted;
  expect(cancelled.lastBackfill).toMatchObject({ cancelled: true, from: new Date(longFrom).toISOString() });
  // Give a fire that would wrongly follow the cancel time to show, then count: exactly the ones before it.
  await sleep(1_500);
  const ofLong = (records: IncomingRecord[]): Fire[] => backfilled(records).filter((fire) => fire.scheduledAt < from);
  const all = ofLong(await readCommittedUntil(port, topic, (records) => ofLong(records).length >= emitted));
  expect(all.map((fire) => fire.fireId)).toEqual(Array.from({ length: emitted }, (_, k) => `${id}@${longFrom + k * PERIOD_MS}`));
  await call('DELETE', `/v1/schedules/${id}`);
});
