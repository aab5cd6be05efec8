import fc from 'fast-check';
import { definitionBody } from './definition-body';
import { validateDefinition } from './definition-validation';

const units = ['MILLISECONDS', 'SECONDS', 'MINUTES', 'HOURS', 'DAYS'] as const;
const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2040, 0, 1) }).map((t) => new Date(t).toISOString());
const duration = fc.record({ timeUnit: fc.constantFrom(...units), time: fc.integer({ min: 1, max: 1_000 }) });
const timing = fc.oneof(
  duration.map((frequency) => ({ frequency })),
  duration.map((delay) => ({ delay })),
  instant.map((at) => ({ at })),
  fc.constantFrom({ cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' }, { cron: '*/5 * * * *', timezone: 'UTC' }),
);
const window = fc.record({
  days: fc.uniqueArray(fc.constantFrom('MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'), { minLength: 1, maxLength: 7 }),
  from: fc.constantFrom('00:00', '09:00', '22:30'),
  to: fc.constantFrom('17:00', '02:00', '24:00'),
});
const rules = fc.record(
  {
    windows: fc.array(window, { minLength: 1, maxLength: 3 }),
    outsideWindow: fc.constantFrom('defer', 'skip'),
    exclude: fc.uniqueArray(fc.constantFrom('us-holidays', 'weekends'), { minLength: 1, maxLength: 2 }),
    jitter: fc.record({ maxMs: fc.integer({ min: 0, max: 86_400_000 }) }),
    dst: fc.record({ gap: fc.constantFrom('shift', 'skip'), overlap: fc.constantFrom('first', 'last', 'both') }),
    zone: fc.constantFrom('Asia/Kolkata', 'America/Santiago'),
  },
  { requiredKeys: [] },
);
/** The time rules a timing allows: dst only with cron, outsideWindow only with windows, a timezone beside a non-cron timing only with windows or exclude. */
function withRules(fields: Record<string, unknown>, given: Partial<{ windows: unknown; outsideWindow: string; exclude: string[]; jitter: unknown; dst: unknown; zone: string }>): Record<string, unknown> {
  const { zone, dst, outsideWindow, ...rest } = given;
  const result: Record<string, unknown> = { ...fields, ...rest };
  if (fields.cron !== undefined && dst !== undefined) result.dst = dst;
  if (given.windows !== undefined && outsideWindow !== undefined) result.outsideWindow = outsideWindow;
  if (fields.cron === undefined && zone !== undefined && (given.windows !== undefined || given.exclude !== undefined)) result.timezone = zone;
  return result;
}
const body = fc
  .record(
    {
      host: fc.constantFrom('lightapi.net', 'h'),
      name: fc.constantFrom('market-192.168.1.1-health-check', 'n'),
      action: fc.constantFrom('INSERT', 'UPDATE'),
      topic: fc.constantFrom('controller-health-check', 't'),
      data: fc.jsonValue(),
      start: instant,
      limit: fc.integer({ min: 1, max: 100 }),
      misfire: fc.constantFrom('fire-once', 'fire-all', 'skip'),
      key: fc.string({ minLength: 1, maxLength: 10 }),
      headers: fc.dictionary(fc.constantFrom('a', 'b'), fc.string({ maxLength: 5 })),
    },
    { requiredKeys: ['host', 'name', 'action', 'topic'] },
  )
  .chain((fields) => timing.map((t) => ({ ...fields, ...t })))
  .chain((fields) => rules.map((given) => withRules(fields, given)));

test('the body a definition is written back as validates to the same definition', () => {
  let checked = 0;
  fc.assert(
    fc.property(body, (written) => {
      const first = validateDefinition(written);
      // Every generated body is valid: a test that skipped the invalid ones could pass on none.
      if (!first.ok) throw new Error(`generated an invalid body: ${first.field}: ${first.reason}`);
      if (first.action !== 'UPSERT') throw new Error('generated a DELETE');
      expect(validateDefinition(definitionBody(first.definition))).toEqual(first);
      checked++;
    }),
    { numRuns: 200 },
  );
  expect(checked).toBe(200);
});

test("light-scheduler's TaskDefinition comes back in its own shape", () => {
  const written = { host: 'lightapi.net', name: 'market-192.168.1.1-health-check', action: 'INSERT', frequency: { timeUnit: 'SECONDS', time: 30 }, topic: 'controller-health-check', start: '2026-12-01T00:00:00.000Z', data: { a: 1 } };
  const result = validateDefinition(written);
  if (!result.ok || result.action !== 'UPSERT') throw new Error('expected a valid upsert');
  expect(definitionBody(result.definition)).toEqual(written);
});
