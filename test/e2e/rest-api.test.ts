/**
 * The schedules API over HTTP against the real broker: light-scheduler's POST /schedulers, the /v1
 * resource API, every error path that needs no broker outage or auth, and reads answered by the
 * owning node from any node.
 */
import type { PunctualConfig } from '../../src/config/config';
import type { KafkaPort } from '../../src/kafka/port';
import { callJson, type JsonAnswer } from '../helpers/rest';
import { readCommittedUntil, testPort, uniqueName, valueOf } from '../helpers/kafka';
import { anotherNode, startApiNode, testConfig, type ApiNode } from '../helpers/punctual';
import { waitFor } from '../../src/util/wait-for';

let port: KafkaPort;
let config: PunctualConfig;
let api: ApiNode;

beforeAll(async () => {
  port = testPort();
  config = testConfig();
  api = await startApiNode(port, config);
});

afterAll(async () => {
  await api.stop();
});

const call = (method: string, path: string, body?: unknown, base = api.url): Promise<JsonAnswer> => callJson(base, method, path, body);

test("light-scheduler's INSERT, UPDATE and DELETE of market-192.168.1.1-health-check work, and its events reach the topic", async () => {
  const host = uniqueName('lightapi');
  const name = 'market-192.168.1.1-health-check';
  const id = `${host}/${name}`;
  const topic = 'controller-health-check';
  const insert = { host, name, action: 'INSERT', frequency: { timeUnit: 'MINUTES', time: 2 }, topic, data: { market: '192.168.1.1' } };

  const inserted = await call('POST', '/schedulers', insert);
  expect(inserted.status).toBe(202);
  expect(inserted.json).toMatchObject({ id, partition: expect.any(Number), offset: expect.any(Number) });
  const view = await waitFor('the schedule to be applied', async () => {
    const found = await call('GET', `/v1/schedules/${host}/${name}`);
    return found.status === 200 ? found.json : undefined;
  });
  // Every 2 minutes, aligned to even minutes since the epoch.
  expect(Date.parse(String(view.nextFireAt)) % 120_000).toBe(0);
  expect(view).toMatchObject({ id, status: 'scheduled', occurrencesFired: 0 });

  expect((await call('POST', '/schedulers', insert)).status).toBe(409);
  // light-scheduler's list gives its TaskDefinition back in the shape it was written.
  const listed = await fetch(`${api.url}/schedulers?host=${host}&name=${name}`);
  expect(await listed.json()).toEqual([insert]);

  const updated = await call('POST', '/schedulers', { ...insert, action: 'UPDATE', frequency: { timeUnit: 'SECONDS', time: 1 } });
  expect(updated.status).toBe(202);
  const events = await readCommittedUntil(port, topic, (records) => records.filter((r) => r.headers['punctual-id'] === id).length >= 2);
  const ours = events.filter((r) => r.headers['punctual-id'] === id);
  expect(JSON.parse(valueOf(ours[0]!)).data).toEqual({ market: '192.168.1.1' });

  expect((await call('POST', '/schedulers', { host, name, action: 'DELETE' })).status).toBe(202);
  await waitFor('the schedule to be gone', async () => (await call('GET', `/v1/schedules/${host}/${name}`)).status === 404);
  expect((await call('POST', '/schedulers', { host, name, action: 'DELETE' })).status).toBe(404);
});

test('PUT upserts, GET shows state, DELETE removes through /v1', async () => {
  const host = uniqueName('v1');
  const put = await call('PUT', `/v1/schedules/${host}/daily`, { cron: '0 9 * * *', timezone: 'Europe/Berlin', topic: 'v1.out' });
  expect(put.status).toBe(202);
  const view = await waitFor('the schedule', async () => {
    const found = await call('GET', `/v1/schedules/${host}/daily`);
    return found.status === 200 ? found.json : undefined;
  });
  expect(view).toMatchObject({ id: `${host}/daily`, definition: { timing: { kind: 'cron', expression: '0 9 * * *', timezone: 'Europe/Berlin' } } });
  // 09:00 in Berlin is 07:00 or 08:00 UTC.
  expect([7, 8]).toContain(new Date(String(view.nextFireAt)).getUTCHours());

  expect((await call('PUT', `/v1/schedules/${host}/daily`, { cron: '0 10 * * *', topic: 'v1.out' })).status).toBe(202);
  expect((await call('DELETE', `/v1/schedules/${host}/daily`)).status).toBe(202);
  await waitFor('the schedule to be gone', async () => (await call('GET', `/v1/schedules/${host}/daily`)).status === 404);
});

test.each([
  ['an unknown field', { host: 'h', name: 'n', action: 'INSERT', at: '2030-01-01T00:00:00Z', topic: 't', colour: 'red' }, 'colour', 'is not a known field'],
  ['a missing topic', { host: 'h', name: 'n', action: 'INSERT', at: '2030-01-01T00:00:00Z' }, 'topic', 'is required for INSERT'],
  ['a zero period', { host: 'h', name: 'n', action: 'INSERT', frequency: { timeUnit: 'SECONDS', time: 0 }, topic: 't' }, 'frequency.time', 'must be >= 1, got 0'],
  ['a bad time zone', { host: 'h', name: 'n', action: 'INSERT', cron: '* * * * *', timezone: 'Nowhere/City', topic: 't' }, 'timezone', 'not an IANA time zone'],
  ['an unknown action', { host: 'h', name: 'n', action: 'UPSERT' }, 'action', 'must be one of'],
])('POST /schedulers with %s answers 400 naming the field', async (_case, body, field, reason) => {
  const { status, json } = await call('POST', '/schedulers', body);
  expect(status).toBe(400);
  expect(json.field).toBe(field);
  expect(String(json.reason)).toContain(reason);
});

test('other error paths: bad JSON 400, unknown schedule 404, body over the limit 413, bad path 400', async () => {
  expect((await call('POST', '/schedulers', '{not json')).json).toMatchObject({ error: 'invalid_json' });
  expect((await call('GET', `/v1/schedules/${uniqueName('none')}/missing`)).status).toBe(404);
  expect((await call('DELETE', `/v1/schedules/${uniqueName('none')}/missing`)).status).toBe(404);
  expect((await call('POST', '/schedulers', { host: uniqueName('none'), name: 'x', action: 'UPDATE', at: '2030-01-01T00:00:00Z', topic: 't' })).status).toBe(404);
  const huge = { host: 'h', name: 'n', action: 'INSERT', at: '2030-01-01T00:00:00Z', topic: 't', data: 'x'.repeat(config.maxDefinitionBytes) };
  expect((await call('POST', '/schedulers', huge)).status).toBe(413);
  expect((await call('GET', '/v1/schedules/bad%20host/n')).json).toMatchObject({ field: 'host' });
  expect((await call('PUT', '/v1/schedules/h/n', { host: 'other', at: '2030-01-01T00:00:00Z', topic: 't' })).json).toMatchObject({ field: 'host' });
});

test('a read on any node is answered by the owner of the schedule', async () => {
  const second = await startApiNode(port, anotherNode(config, 'b'));
  try {
    await waitFor('both nodes to own partitions', () => api.node.ownedPartitions().length > 0 && second.node.ownedPartitions().length > 0 && api.node.isReady() && second.node.isReady());
    const host = uniqueName('spread');
    // Four schedules on each node's partitions, so reads are answered by both owners.
    const ownedBy = (node: typeof api.node): string[] => Array.from({ length: 200 }, (_, i) => `s${i}`).filter((name) => node.ownedPartitions().includes(node.partitionOf(`${host}/${name}`))).slice(0, 4);
    const names = [...ownedBy(api.node), ...ownedBy(second.node)];
    expect(names).toHaveLength(8);
    for (const name of names) expect((await call('PUT', `/v1/schedules/${host}/${name}`, { at: '2030-01-01T00:00:00Z', topic: 'spread.out' })).status).toBe(202);
    for (const name of names) {
      for (const base of [api.url, second.url]) {
        const found = await waitFor(`${name} on ${base}`, async () => {
          const answer = await call('GET', `/v1/schedules/${host}/${name}`, undefined, base);
          return answer.status === 200 ? answer.json : undefined;
        });
        expect(found).toMatchObject({ id: `${host}/${name}`, nextFireAt: '2030-01-01T00:00:00.000Z' });
      }
    }
  } finally {
    await second.stop();
  }
});

test('an invalid definition is refused by REST and dead-lettered from Kafka with the same reason', async () => {
  const bodies = [
    { host: 'same', name: 'a', action: 'INSERT', at: 'tomorrow', topic: 't' },
    { host: 'same', name: 'b', action: 'INSERT', cron: '0 25 * * *', topic: 't' },
    { host: 'same', name: 'c', action: 'INSERT', frequency: { timeUnit: 'WEEKS', time: 1 }, topic: 't' },
    { host: 'same', name: 'd', action: 'INSERT', at: '2030-01-01T00:00:00Z', delay: { timeUnit: 'SECONDS', time: 1 }, topic: 't' },
  ];
  const restReasons = new Map<string, string>();
  for (const body of bodies) {
    const { status, json } = await call('POST', '/schedulers', body);
    expect(status).toBe(400);
    restReasons.set(`${body.host}/${body.name}`, String(json.message));
  }
  const producer = port.createProducer();
  await producer.connect();
  await producer.send(bodies.map((body) => ({ topic: config.topics.definitions, key: `${body.host}/${body.name}`, value: JSON.stringify(body) })));
  await producer.close();
  const dead = await readCommittedUntil(port, config.topics.dlq, (records) => bodies.every((b) => records.some((r) => r.key?.toString() === `${b.host}/${b.name}`)));
  for (const [id, reason] of restReasons) {
    expect(dead.find((record) => record.key?.toString() === id)?.headers['punctual-dlq-reason']).toBe(reason);
  }
});

test('writing the same definition again keeps the run: a delay is not restarted', async () => {
  const host = uniqueName('same');
  const definition = { delay: { timeUnit: 'HOURS', time: 1 }, topic: 'same.out', data: { n: 1 } };
  const first = await call('PUT', `/v1/schedules/${host}/d?wait=applied`, definition);
  expect(first.status).toBe(200);
  const before = (await call('GET', `/v1/schedules/${host}/d`)).json;
  // Later record timestamps: a restarted delay would be due later than the first one.
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect((await call('PUT', `/v1/schedules/${host}/d?wait=applied`, definition)).status).toBe(200);
  expect((await call('POST', '/schedulers?wait=applied', { host, name: 'd', action: 'UPDATE', ...definition, delay: { timeUnit: 'MINUTES', time: 60 } })).status).toBe(200);
  const after = (await call('GET', `/v1/schedules/${host}/d`)).json;
  expect(after.nextFireAt).toBe(before.nextFireAt);
  expect(Number(after.appliedOffset)).toBeGreaterThan(Number(before.appliedOffset));
  // A changed definition does start a new run.
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect((await call('PUT', `/v1/schedules/${host}/d?wait=applied`, { ...definition, data: { n: 2 } })).status).toBe(200);
  expect(Date.parse(String((await call('GET', `/v1/schedules/${host}/d`)).json.nextFireAt))).toBeGreaterThan(Date.parse(String(before.nextFireAt)));
});

test('REST measures the bytes the Kafka path measures: a record value at the limit is applied, one byte over is refused with 413', async () => {
  const host = uniqueName('size');
  const limit = config.maxDefinitionBytes;
  const body = (data: string): Record<string, unknown> => ({ at: '2030-01-01T00:00:00Z', topic: 'size.out', data });
  // The record value is the body with host, name and action added, in that order (schedule-routes.ts).
  const recordValue = (name: string, data: string): string => JSON.stringify({ ...body(data), host, name, action: 'INSERT' });
  const fitting = 'x'.repeat(limit - recordValue('fits', '').length);
  expect(Buffer.byteLength(recordValue('fits', fitting))).toBe(limit);
  expect((await call('PUT', `/v1/schedules/${host}/fits?wait=applied`, body(fitting))).status).toBe(200);
  // One byte more: the request body is still under the limit, the record value is not.
  const over = await call('PUT', `/v1/schedules/${host}/over?wait=applied`, body(`${fitting}x`));
  expect(JSON.stringify(body(`${fitting}x`)).length).toBeLessThan(limit);
  expect(over.status).toBe(413);
  expect(over.json).toMatchObject({ error: 'body_too_large', field: '(body)', message: `(body): is ${limit + 1} bytes, over the limit of ${limit}` });
  expect((await call('GET', `/v1/schedules/${host}/over`)).status).toBe(404);
});

test('?wait=applied answers once the owning node applied the write; next and preview list fire times', async () => {
  const host = uniqueName('wait');
  const put = await call('PUT', `/v1/schedules/${host}/hourly?wait=applied`, { frequency: { timeUnit: 'HOURS', time: 1 }, limit: 3, topic: 'wait.out' });
  expect(put).toMatchObject({ status: 200, json: { id: `${host}/hourly`, applied: true } });
  // Applied means readable at once, without polling.
  const view = await call('GET', `/v1/schedules/${host}/hourly`);
  expect(view.json).toMatchObject({ appliedOffset: put.json.offset, remaining: 3 });

  const next = await call('GET', `/v1/schedules/${host}/hourly/next?count=5`);
  const times = (next.json.next as string[]).map(Date.parse);
  expect(times).toHaveLength(3);
  expect(times.every((t) => t % 3_600_000 === 0)).toBe(true);
  expect(times[0]).toBe(Date.parse(String(view.json.nextFireAt)));

  const preview = await call('POST', '/v1/preview?count=3', { cron: '30 2 * * *', timezone: 'America/New_York', start: '2026-03-07T00:00:00Z' });
  expect(preview.status).toBe(200);
  expect((preview.json.next as string[]).length).toBe(3);
  expect((await call('POST', '/v1/preview?count=0', { at: '2030-01-01T00:00:00Z' })).json).toMatchObject({ field: 'count' });
  expect((await call('GET', `/v1/schedules/${host}/hourly/next?count=many`)).status).toBe(400);

  const deleted = await call('DELETE', `/v1/schedules/${host}/hourly?wait=applied`);
  expect(deleted).toMatchObject({ status: 200, json: { applied: true } });
  expect((await call('GET', `/v1/schedules/${host}/hourly`)).status).toBe(404);
  expect((await call('PUT', `/v1/schedules/${host}/x?wait=soon`, { at: '2030-01-01T00:00:00Z', topic: 't' })).json).toMatchObject({ field: 'wait' });
  // The refused request wrote nothing.
  expect((await call('PUT', `/v1/schedules/${host}/marker?wait=applied`, { at: '2030-01-01T00:00:00Z', topic: 't' })).status).toBe(200);
  expect((await call('GET', `/v1/schedules/${host}/x`)).status).toBe(404);
});
