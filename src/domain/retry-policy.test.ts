import { DEFAULT_RETRY_POLICY, decideRetry, policyWithDefinition, retryDelayMs, retryPolicy } from './retry-policy';

test('exponential backoff doubles from initialMs up to maxMs; jitter only shortens', () => {
  const policy = retryPolicy({ maxAttempts: 10, backoff: { type: 'exponential', initialMs: 100, maxMs: 1_000, multiplier: 2, jitter: 0.5 } });
  expect([1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(policy, attempt, 0))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  expect(retryDelayMs(policy, 2, 0.999)).toBe(100);
});

test('fixed backoff waits initialMs every time', () => {
  const policy = retryPolicy({ backoff: { type: 'fixed', initialMs: 250, jitter: 0 } });
  expect([1, 2].map((attempt) => retryDelayMs(policy, attempt, 0.5))).toEqual([250, 250]);
});

test('no retry after maxAttempts, or past maxAgeMs; a requested delay replaces the backoff', () => {
  const policy = retryPolicy({ maxAttempts: 3, maxAgeMs: 10_000, backoff: { initialMs: 1_000, jitter: 0 } });
  expect(decideRetry(policy, 1, 0, 0, 0)).toEqual({ retry: true, delayMs: 1_000 });
  expect(decideRetry(policy, 3, 0, 0, 0)).toEqual({ retry: false, reason: 'attempt 3 of 3 failed' });
  expect(decideRetry(policy, 1, 0, 9_500, 0)).toEqual({ retry: false, reason: expect.stringContaining('past maxAgeMs 10000') });
  expect(decideRetry(policy, 1, 0, 0, 0, 5_000)).toEqual({ retry: true, delayMs: 5_000 });
});

test.each([
  [{ maxAttempts: 0 }, 'retry.maxAttempts must be a whole number of at least 1, got 0'],
  [{ backoff: { type: 'linear' as 'fixed' } }, 'retry.backoff.type must be fixed or exponential, got linear'],
  [{ backoff: { initialMs: 5_000, maxMs: 1_000 } }, 'retry.backoff.maxMs must be a whole number of at least 5000, got 1000'],
  [{ backoff: { multiplier: 0.5 } }, 'retry.backoff.multiplier must be at least 1, got 0.5'],
  [{ backoff: { jitter: 2 } }, 'retry.backoff.jitter must be from 0 to 1, got 2'],
])('a bad policy %j is refused naming the field and value', (options, message) => {
  expect(() => retryPolicy(options)).toThrow(message);
});

describe('a definition\'s retry over the executor\'s options', () => {
  const executor = { maxAttempts: 5, backoff: { type: 'exponential' as const, initialMs: 1_000, maxMs: 10_000, jitter: 0 } };

  test('each field the definition gives wins, backoff field by field; the rest are the executor\'s, then the defaults', () => {
    expect(policyWithDefinition(executor, { maxAttempts: 2, backoff: { type: 'fixed' } })).toEqual({
      maxAttempts: 2,
      backoff: { type: 'fixed', initialMs: 1_000, maxMs: 10_000, multiplier: 2, jitter: 0 },
    });
    expect(policyWithDefinition({}, { maxAgeMs: 60_000 })).toEqual({ ...DEFAULT_RETRY_POLICY, maxAgeMs: 60_000 });
  });

  test('an initialMs above the executor\'s maxMs raises the cap to it, unless the definition sets maxMs', () => {
    expect(policyWithDefinition(executor, { backoff: { initialMs: 30_000 } }).backoff).toMatchObject({ initialMs: 30_000, maxMs: 30_000 });
    expect(policyWithDefinition({}, { backoff: { initialMs: 120_000 } }).backoff).toMatchObject({ initialMs: 120_000, maxMs: 120_000 });
    expect(() => policyWithDefinition(executor, { backoff: { initialMs: 30_000, maxMs: 20_000 } })).toThrow('retry.backoff.maxMs must be a whole number of at least 30000, got 20000');
  });

  test('a field the definition got wrong is refused by name', () => {
    expect(() => policyWithDefinition(executor, { maxAttempts: 0 })).toThrow('retry.maxAttempts must be a whole number of at least 1, got 0');
  });
});
