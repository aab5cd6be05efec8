import { definitionBody } from './definition-body';
import { validateDefinition } from './definition-validation';

const base = { host: 'demo', name: 'hello', action: 'INSERT', topic: 'demo.out' };

describe('definition validation', () => {
  test('an at one-shot is accepted with its instant, defaults and id', () => {
    const result = validateDefinition({ ...base, at: '2026-11-22T10:00:00.250+01:00', data: { x: 1 } });
    expect(result).toEqual({
      ok: true,
      action: 'UPSERT',
      definition: {
        id: 'demo/hello',
        host: 'demo',
        name: 'hello',
        action: 'INSERT',
        timing: { kind: 'at', at: Date.UTC(2026, 10, 22, 9, 0, 0, 250) },
        topic: 'demo.out',
        headers: {},
        data: { x: 1 },
        misfire: 'fire-once',
      },
    });
  });

  test('a delay is converted to milliseconds from its unit', () => {
    const result = validateDefinition({ ...base, action: 'UPDATE', delay: { timeUnit: 'MINUTES', time: 2 }, key: 'k', headers: { h: 'v' } });
    expect(result.ok && result.action === 'UPSERT' && result.definition).toMatchObject({
      timing: { kind: 'delay', delayMs: 120_000 },
      key: 'k',
      headers: { h: 'v' },
    });
  });

  test('cron takes a time zone, UTC by default; frequency takes a period', () => {
    const cron = validateDefinition({ ...base, cron: '0 9 * * 1-5', timezone: 'Europe/Berlin', misfire: 'skip', limit: 3 });
    expect(cron.ok && cron.action === 'UPSERT' && cron.definition).toMatchObject({ timing: { kind: 'cron', expression: '0 9 * * 1-5', timezone: 'Europe/Berlin' }, misfire: 'skip', limit: 3 });
    const utc = validateDefinition({ ...base, cron: '*/10 * * * * *' });
    expect(utc.ok && utc.action === 'UPSERT' && utc.definition.timing).toEqual({ kind: 'cron', expression: '*/10 * * * * *', timezone: 'UTC' });
    const every = validateDefinition({ ...base, frequency: { timeUnit: 'MINUTES', time: 2 } });
    expect(every.ok && every.action === 'UPSERT' && every.definition.timing).toEqual({ kind: 'frequency', periodMs: 120_000, given: { timeUnit: 'MINUTES', time: 2 } });
  });

  test('DELETE needs only host and name', () => {
    expect(validateDefinition({ host: 'demo', name: 'hello', action: 'DELETE' })).toEqual({ ok: true, action: 'DELETE', id: 'demo/hello' });
  });

  test.each([
    ['not an object', 'nope', '(body)', 'must be a JSON object, got "nope"'],
    ['missing host', { name: 'n', action: 'INSERT' }, 'host', 'is required'],
    ['bad host characters', { ...base, host: 'a b', at: '2026-01-01T00:00:00Z' }, 'host', 'must match pattern'],
    ['unknown action', { ...base, action: 'UPSERT', at: '2026-01-01T00:00:00Z' }, 'action', 'must be one of "INSERT", "UPDATE", "DELETE", got "UPSERT"'],
    ['unknown field', { ...base, at: '2026-01-01T00:00:00Z', colour: 'red' }, 'colour', 'is not a known field'],
    ['no timing', base, 'timing', 'exactly one of frequency, cron, at, delay is required for INSERT, got none'],
    ['two timings', { ...base, at: '2026-01-01T00:00:00Z', delay: { timeUnit: 'SECONDS', time: 1 } }, 'timing', 'got at, delay'],
    ['missing topic', { host: 'h', name: 'n', action: 'INSERT', at: '2026-01-01T00:00:00Z' }, 'topic', 'is required for INSERT'],
    ['bad instant', { ...base, at: 'tomorrow' }, 'at', '"tomorrow" is not an ISO-8601 instant'],
    ['instant without offset', { ...base, at: '2026-01-01T00:00:00' }, 'at', 'is not an ISO-8601 instant'],
    ['negative delay', { ...base, delay: { timeUnit: 'SECONDS', time: -1 } }, 'delay.time', 'must be >= 0, got -1'],
    ['zero period', { ...base, frequency: { timeUnit: 'SECONDS', time: 0 } }, 'frequency.time', 'must be >= 1, got 0'],
    ['bad unit', { ...base, delay: { timeUnit: 'WEEKS', time: 1 } }, 'delay.timeUnit', 'got "WEEKS"'],
    ['end before start', { ...base, at: '2026-01-01T00:00:00Z', start: '2026-02-01T00:00:00Z', end: '2026-01-01T00:00:00Z' }, 'end', 'is not after start'],
    ['bad topic name', { ...base, topic: 'a topic', at: '2026-01-01T00:00:00Z' }, 'topic', 'must match pattern'],
    ['topic "."', { ...base, topic: '.', at: '2026-01-01T00:00:00Z' }, 'topic', '"." is not a valid Kafka topic name'],
    ['topic ".."', { ...base, topic: '..', at: '2026-01-01T00:00:00Z' }, 'topic', '".." is not a valid Kafka topic name'],
    ['timezone without cron, windows or exclude', { ...base, at: '2026-01-01T00:00:00Z', timezone: 'UTC' }, 'timezone', 'applies only to cron, windows and exclude'],
    ['cron with four fields', { ...base, cron: '* * * *' }, 'cron', 'has 4 fields'],
    ['cron out of range', { ...base, cron: '0 25 * * *' }, 'cron', 'is not a valid cron expression'],
    ['unknown time zone', { ...base, cron: '0 9 * * *', timezone: 'Europe/Atlantis' }, 'timezone', '"Europe/Atlantis" is not an IANA time zone'],
  ])('%s is rejected naming the field', (_case, body, field, reason) => {
    const result = validateDefinition(body);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.field).toBe(field);
    expect(result.reason).toContain(reason);
  });
});

describe('retryOf (a retry one-shot written by an executor)', () => {
  const retry = { host: 'shop', name: 'mail:retry:1000:2', action: 'INSERT', at: '2026-01-01T00:00:05Z', topic: 'out', retryOf: { id: 'shop/mail', fireId: 'shop/mail@1000', occurrence: 1, scheduledAt: '1970-01-01T00:00:01Z', attempt: 2 } };

  test('is kept on the definition, its due time as epoch ms, and written back the same', () => {
    const validated = validateDefinition(retry);
    expect(validated).toMatchObject({ ok: true, action: 'UPSERT', definition: { retryOf: { id: 'shop/mail', fireId: 'shop/mail@1000', occurrence: 1, scheduledAt: 1_000, attempt: 2 } } });
    if (validated.ok && validated.action === 'UPSERT') expect(validateDefinition(definitionBody(validated.definition))).toEqual(validated);
  });

  test.each([
    [{ ...retry, at: undefined, delay: { timeUnit: 'SECONDS', time: 1 } }, 'retryOf', 'a retry is a one-shot: it needs at'],
    [{ ...retry, retryOf: { ...retry.retryOf, id: 'other/mail' } }, 'retryOf.id', '"other/mail" is not a schedule of host shop'],
    [{ ...retry, retryOf: { ...retry.retryOf, scheduledAt: 'yesterday' } }, 'retryOf.scheduledAt', '"yesterday" is not an ISO-8601 instant'],
    [{ ...retry, retryOf: { ...retry.retryOf, attempt: 1 } }, 'retryOf.attempt', 'must be >= 2'],
  ])('a bad one is refused naming the field: %#', (body, field, reason) => {
    expect(validateDefinition(body)).toEqual({ ok: false, field, reason: expect.stringContaining(reason) });
  });
});

describe('retry (how executors retry the schedule\'s failed attempts)', () => {
  const withRetry = { ...base, at: '2026-01-01T00:00:05Z', retry: { maxAttempts: 5, backoff: { type: 'exponential', initialMs: 500, maxMs: 10_000, multiplier: 3, jitter: 0 }, maxAgeMs: 60_000 } };

  test('is kept on the definition as given and written back the same', () => {
    const validated = validateDefinition(withRetry);
    expect(validated).toMatchObject({ ok: true, definition: { retry: withRetry.retry } });
    if (validated.ok && validated.action === 'UPSERT') expect(validateDefinition(definitionBody(validated.definition))).toEqual(validated);
  });

  test.each([
    [{ ...withRetry, retry: { maxAttempts: 0 } }, 'retry.maxAttempts', 'must be >= 1, got 0'],
    [{ ...withRetry, retry: { backoff: { type: 'linear' } } }, 'retry.backoff.type', 'must be one of "fixed", "exponential", got "linear"'],
    [{ ...withRetry, retry: { backoff: { jitter: 2 } } }, 'retry.backoff.jitter', 'must be <= 1, got 2'],
    [{ ...withRetry, retry: { backoff: { initialMs: 5_000, maxMs: 100 } } }, 'retry.backoff.maxMs', '100 is less than retry.backoff.initialMs 5000'],
    [{ ...withRetry, retry: { attempts: 3 } }, 'retry.attempts', 'is not a known field'],
  ])('a bad one is refused naming the field: %#', (body, field, reason) => {
    expect(validateDefinition(body)).toEqual({ ok: false, field, reason: expect.stringContaining(reason) });
  });
});

describe('time rules: windows, outsideWindow, exclude, jitter, dst', () => {
  const office = { days: ['MON', 'FRI'], from: '09:00', to: '17:00' };
  const calendars = { calendars: (name: string) => (name === 'us-holidays' ? { name, dates: ['2026-12-25'] } : undefined) };

  test('are kept on the definition: a timezone beside frequency with windows, dst on the cron timing', () => {
    const every = validateDefinition({ ...base, frequency: { timeUnit: 'HOURS', time: 1 }, timezone: 'Asia/Kolkata', windows: [office], outsideWindow: 'skip', exclude: ['us-holidays'], jitter: { maxMs: 30_000 } }, calendars);
    expect(every).toMatchObject({ ok: true, definition: { timezone: 'Asia/Kolkata', windows: [office], outsideWindow: 'skip', exclude: ['us-holidays'], jitter: { maxMs: 30_000 } } });
    const cron = validateDefinition({ ...base, cron: '30 2 * * *', timezone: 'America/New_York', dst: { gap: 'skip', overlap: 'last' } });
    expect(cron.ok && cron.action === 'UPSERT' && cron.definition.timing).toEqual({ kind: 'cron', expression: '30 2 * * *', timezone: 'America/New_York', dst: { gap: 'skip', overlap: 'last' } });
  });

  test.each([
    [{ ...base, at: '2026-01-01T00:00:00Z', dst: { gap: 'skip', overlap: 'first' } }, 'dst', 'applies only to cron'],
    [{ ...base, cron: '0 9 * * *', dst: { gap: 'later', overlap: 'first' } }, 'dst.gap', 'must be one of "shift", "skip", got "later"'],
    [{ ...base, cron: '0 9 * * *', dst: { gap: 'skip' } }, 'dst.overlap', 'is required'],
    [{ ...base, cron: '0 9 * * *', windows: [{ ...office, from: '9:00' }] }, 'windows.0.from', '"9:00" is not a time of day HH:MM'],
    [{ ...base, cron: '0 9 * * *', windows: [office, { ...office, to: '24:30' }] }, 'windows.1.to', '"24:30" is not a time of day'],
    [{ ...base, cron: '0 9 * * *', windows: [{ ...office, to: '09:00' }] }, 'windows.0.to', 'equals from'],
    [{ ...base, cron: '0 9 * * *', windows: [{ ...office, days: ['MON', 'MON'] }] }, 'windows.0.days', 'names a day twice'],
    [{ ...base, cron: '0 9 * * *', windows: [{ ...office, days: ['MONDAY'] }] }, 'windows.0.days.0', 'must be one of "MON"'],
    [{ ...base, cron: '0 9 * * *', windows: [] }, 'windows', 'must NOT have fewer than 1 items'],
    [{ ...base, cron: '0 9 * * *', outsideWindow: 'skip' }, 'outsideWindow', 'applies only with windows'],
    [{ ...base, cron: '0 9 * * *', windows: [office], outsideWindow: 'later' }, 'outsideWindow', 'must be one of "defer", "skip", got "later"'],
    [{ ...base, frequency: { timeUnit: 'HOURS', time: 1 }, windows: [office], timezone: 'Mars/Olympus' }, 'timezone', '"Mars/Olympus" is not an IANA time zone'],
    [{ ...base, cron: '0 9 * * *', exclude: ['us-holidays', 'eu-holidays'] }, 'exclude.1', 'no calendar is named "eu-holidays"'],
    [{ ...base, cron: '0 9 * * *', jitter: { maxMs: -1 } }, 'jitter.maxMs', 'must be >= 0, got -1'],
    [{ ...base, cron: '0 9 * * *', jitter: { maxMs: 86_400_001 } }, 'jitter.maxMs', 'must be <= 86400000'],
  ])('a bad one is refused naming the field: %#', (body, field, reason) => {
    expect(validateDefinition(body, calendars)).toEqual({ ok: false, field, reason: expect.stringContaining(reason) });
  });
});
