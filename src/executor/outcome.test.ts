import { NonRetryableError, RetryAfter, failed, succeeded } from './outcome';

test('a result is success, copied as JSON; too large or not JSON fails without retry', () => {
  expect(succeeded({ sent: 2, at: new Date(0) })).toEqual({ kind: 'succeeded', result: { sent: 2, at: '1970-01-01T00:00:00.000Z' } });
  expect(succeeded(undefined)).toEqual({ kind: 'succeeded', result: null });
  expect(succeeded('x'.repeat(100), 50)).toEqual({ kind: 'failed', retryable: false, error: { type: 'ResultTooLarge', message: expect.stringContaining('102 bytes of JSON, more than the 50 allowed') } });
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  expect(succeeded(cyclic)).toEqual({ kind: 'failed', retryable: false, error: { type: 'ResultNotJson', message: expect.any(String) } });
});

test('errors: any is retried, NonRetryableError is not, RetryAfter names the delay', () => {
  expect(failed(new TypeError('boom'))).toEqual({ kind: 'failed', retryable: true, error: { type: 'TypeError', message: 'boom' } });
  expect(failed(new NonRetryableError('bad address'))).toEqual({ kind: 'failed', retryable: false, error: { type: 'NonRetryableError', message: 'bad address' } });
  expect(failed(new RetryAfter(5_000))).toEqual({ kind: 'failed', retryable: true, retryAfterMs: 5_000, error: { type: 'RetryAfter', message: 'retry after 5000 ms' } });
  expect(failed('plain')).toEqual({ kind: 'failed', retryable: true, error: { type: 'string', message: 'plain' } });
  expect(() => new RetryAfter(-1)).toThrow('RetryAfter: delayMs must be a number of at least 0, got -1');
});
