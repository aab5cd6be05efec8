/**
 * Property-based: random and mutated bodies sent to POST /schedulers and PUT /v1/schedules never
 * get a 5xx; bodies valid by construction (the oracle is the generator, not the server's validator)
 * are all accepted; and no schedule comes to exist from a body the API refused.
 */
import fc from 'fast-check';
import { testPort, uniqueName } from '../helpers/kafka';
import { startApiNode, testConfig, type ApiNode } from '../helpers/punctual';
import { waitFor } from '../../src/util/wait-for';

jest.setTimeout(180_000);

let api: ApiNode;

beforeAll(async () => {
  api = await startApiNode(testPort(), testConfig());
});

afterAll(async () => {
  await api.stop();
});

const host = uniqueName('prop');

/** A valid definition with some fields replaced by anything, some removed, some added. */
function mutatedDefinition(): fc.Arbitrary<unknown> {
  const fields = ['host', 'name', 'action', 'at', 'delay', 'frequency', 'cron', 'timezone', 'topic', 'start', 'end', 'limit', 'misfire', 'key', 'headers', 'data'];
  return fc
    .record({
      name: fc.integer({ min: 0, max: 1_000_000 }),
      replace: fc.dictionary(fc.constantFrom(...fields), fc.anything(), { maxKeys: 3 }),
      remove: fc.subarray(['host', 'name', 'action', 'at', 'topic']),
      extra: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.anything(), { maxKeys: 2 }), { nil: undefined }),
    })
    .map(({ name, replace, remove, extra }) => {
      const body: Record<string, unknown> = { host, name: `n${name}`, action: 'INSERT', at: '2030-01-01T00:00:00Z', topic: 'prop.out', ...replace, ...extra };
      for (const field of remove) delete body[field];
      return body;
    });
}

/**
 * Bodies valid by construction, each on its own name, all due far in the future (so none is finished
 * before the list is read): the API must accept every one of them.
 */
function validDefinition(): fc.Arbitrary<Record<string, unknown>> {
  const future = fc.integer({ min: Date.UTC(2031, 0, 1), max: Date.UTC(2040, 0, 1) }).map((t) => new Date(t).toISOString());
  const timing = fc.oneof(
    future.map((at) => ({ at })),
    fc.integer({ min: 1, max: 1_000 }).map((time) => ({ delay: { timeUnit: 'DAYS', time } })),
    fc.record({ frequency: fc.record({ timeUnit: fc.constantFrom('SECONDS', 'MINUTES', 'HOURS', 'DAYS'), time: fc.integer({ min: 1, max: 100 }) }), start: future }),
    fc.record({ cron: fc.constantFrom('0 9 * * 1-5', '*/5 * * * *', '0 0 1 * *'), timezone: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York'), start: future }),
  );
  return fc
    .record({
      name: fc.integer({ min: 0, max: 1_000_000 }),
      timing,
      data: fc.jsonValue(),
      limit: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
      misfire: fc.option(fc.constantFrom('fire-once', 'fire-all', 'skip'), { nil: undefined }),
    })
    .map(({ name, timing: t, data, limit, misfire }) => ({
      host,
      name: `v${name}`,
      action: 'INSERT',
      topic: 'prop.out',
      ...t,
      data,
      ...(limit === undefined ? {} : { limit }),
      ...(misfire === undefined ? {} : { misfire }),
    }));
}

test('random and mutated bodies never cause a 5xx, valid ones are all accepted, and only accepted ones come to exist', async () => {
  const accepted = new Set<string>();
  const mustExist = new Set<string>();
  let validSent = 0;
  const body = fc.oneof(
    { weight: 1, arbitrary: fc.anything().map((candidate) => ({ candidate, valid: false })) },
    { weight: 3, arbitrary: mutatedDefinition().map((candidate) => ({ candidate, valid: false })) },
    { weight: 2, arbitrary: validDefinition().map((candidate) => ({ candidate, valid: true })) },
  );
  await fc.assert(
    fc.asyncProperty(body, fc.boolean(), async ({ candidate, valid }, viaPut) => {
      const fields = typeof candidate === 'object' && candidate !== null ? (candidate as { host?: unknown; name?: unknown }) : {};
      const name = typeof fields.name === 'string' ? fields.name : 'anything';
      // A valid body sent again under a name already taken is an INSERT of an existing schedule (409 over POST).
      if (valid && accepted.has(`${host}/${name}`)) return;
      const url = viaPut ? `${api.url}/v1/schedules/${host}/${encodeURIComponent(name)}` : `${api.url}/schedulers`;
      const response = await fetch(url, { method: viaPut ? 'PUT' : 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(candidate) ?? 'null' });
      expect(response.status).toBeLessThan(500);
      if (valid) {
        validSent++;
        expect({ body: candidate, status: response.status }).toEqual({ body: candidate, status: 202 });
        mustExist.add(`${host}/${name}`);
      }
      if (response.status === 202) accepted.add(viaPut ? `${host}/${name}` : `${String(fields.host)}/${String(fields.name)}`);
    }),
    { numRuns: 300 },
  );
  // A run that accepted nothing would prove nothing.
  expect(validSent).toBeGreaterThan(50);
  // Every valid one exists, and whatever exists under this host came from an accepted write.
  const listed = await waitFor('the accepted writes to be applied', async () => {
    const page = (await (await fetch(`${api.url}/v1/schedules?host=${host}&limit=1000`)).json()) as { items: { id: string }[] };
    const ids = new Set(page.items.map((item) => item.id));
    return [...mustExist].every((id) => ids.has(id)) ? ids : undefined;
  });
  for (const id of listed) expect(accepted.has(id)).toBe(true);
});
