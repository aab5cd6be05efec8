/**
 * Property-based: random and mutated bodies sent to POST /schedulers and PUT /v1/schedules never
 * get a 5xx, and no schedule comes to exist from a body the API refused.
 */
import fc from 'fast-check';
import { validateDefinition } from '../../src/domain/definition-validation';
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

test('random and mutated bodies never cause a 5xx and never create a schedule from an invalid body', async () => {
  const accepted = new Set<string>();
  const body = fc.oneof({ weight: 1, arbitrary: fc.anything() }, { weight: 4, arbitrary: mutatedDefinition() });
  await fc.assert(
    fc.asyncProperty(body, fc.boolean(), async (candidate, viaPut) => {
      const name = typeof candidate === 'object' && candidate !== null && typeof (candidate as { name?: unknown }).name === 'string' ? (candidate as { name: string }).name : 'anything';
      const url = viaPut ? `${api.url}/v1/schedules/${host}/${encodeURIComponent(name)}` : `${api.url}/schedulers`;
      const response = await fetch(url, { method: viaPut ? 'PUT' : 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(candidate) ?? 'null' });
      expect(response.status).toBeLessThan(500);
      if (response.status === 202) {
        // What the server saw is the JSON text: a key whose value is undefined is not in it.
        const sent = JSON.parse(JSON.stringify(candidate) ?? 'null') as unknown;
        const definition = viaPut ? { ...(sent as object), host, name, action: (sent as { action?: unknown }).action ?? 'INSERT' } : sent;
        const validated = validateDefinition(definition);
        expect(validated.ok).toBe(true);
        if (validated.ok && validated.action === 'UPSERT') accepted.add(validated.definition.id);
      }
    }),
    { numRuns: 300 },
  );
  // Whatever exists under this host came from an accepted write.
  const listed = await waitFor('the accepted writes to be applied', async () => {
    const page = (await (await fetch(`${api.url}/v1/schedules?host=${host}&limit=1000`)).json()) as { items: { id: string }[] };
    const ids = page.items.map((item) => item.id);
    return ids.length >= accepted.size ? ids : undefined;
  });
  for (const id of listed) expect(accepted.has(id)).toBe(true);
});
