/**
 * What a handler's return or throw means: success with a result, a failure retried by the policy,
 * a failure that is never retried, or a failure with the next delay chosen by the handler.
 */
import type { ErrorSummary } from '../domain/execution-status';

/** Thrown by a handler: the fire goes to the execution dead-letter topic at once, not retried. */
export class NonRetryableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}

/** Thrown by a handler: a failure whose next attempt comes after `delayMs` (attempts still count). */
export class RetryAfter extends Error {
  constructor(
    readonly delayMs: number,
    message = `retry after ${delayMs} ms`,
  ) {
    super(message);
    this.name = 'RetryAfter';
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`RetryAfter: delayMs must be a number of at least 0, got ${delayMs}`);
  }
}

/** The handler ran past its timeout and was aborted. */
export class HandlerTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the handler did not finish within ${timeoutMs} ms`);
    this.name = 'HandlerTimeoutError';
  }
}


export type HandlerOutcome =
  | { kind: 'succeeded'; result: unknown }
  | { kind: 'failed'; error: ErrorSummary; retryable: boolean; retryAfterMs?: number };

/** Results above this many bytes of JSON are refused: the status topic is no blob store. */
export const DEFAULT_MAX_RESULT_BYTES = 64 * 1024;

export function succeeded(result: unknown, maxResultBytes = DEFAULT_MAX_RESULT_BYTES): HandlerOutcome {
  let json: string | undefined;
  try {
    json = JSON.stringify(result);
  } catch (error) {
    return { kind: 'failed', error: { type: 'ResultNotJson', message: `the handler's result cannot be written as JSON: ${String(error)}` }, retryable: false };
  }
  const bytes = json === undefined ? 0 : Buffer.byteLength(json);
  if (bytes > maxResultBytes) {
    return { kind: 'failed', error: { type: 'ResultTooLarge', message: `the handler's result is ${bytes} bytes of JSON, more than the ${maxResultBytes} allowed` }, retryable: false };
  }
  return { kind: 'succeeded', result: json === undefined ? null : (JSON.parse(json) as unknown) };
}

export function failed(error: unknown): HandlerOutcome {
  const summary = summarize(error);
  if (error instanceof NonRetryableError) return { kind: 'failed', error: summary, retryable: false };
  if (error instanceof RetryAfter) return { kind: 'failed', error: summary, retryable: true, retryAfterMs: error.delayMs };
  return { kind: 'failed', error: summary, retryable: true };
}

function summarize(error: unknown): ErrorSummary {
  if (error instanceof Error) return { type: error.name, message: error.message };
  return { type: typeof error, message: String(error) };
}
