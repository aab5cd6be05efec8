/** When a failed attempt is tried again, and when a fire has had enough attempts. */

export interface BackoffOptions {
  type: 'fixed' | 'exponential';
  initialMs: number;
  maxMs: number;
  multiplier: number;
  /** 0 to 1: each delay is drawn from [delay * (1 - jitter), delay]. */
  jitter: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  backoff: BackoffOptions;
  /** No attempt starts once this long has passed since the occurrence was due. */
  maxAgeMs?: number;
}

export type RetryOptions = Partial<Omit<RetryPolicy, 'backoff'>> & { backoff?: Partial<BackoffOptions> };

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  backoff: { type: 'exponential', initialMs: 1_000, maxMs: 60_000, multiplier: 2, jitter: 0.2 },
};

/** Fills `options` from the default and checks every field; throws a RangeError naming the field and value. */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const backoff = { ...DEFAULT_RETRY_POLICY.backoff, ...options.backoff };
  const policy: RetryPolicy = { maxAttempts: options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts, backoff, ...(options.maxAgeMs === undefined ? {} : { maxAgeMs: options.maxAgeMs }) };
  const whole = (field: string, value: number, min: number): void => {
    if (!Number.isInteger(value) || value < min) throw new RangeError(`retry.${field} must be a whole number of at least ${min}, got ${value}`);
  };
  whole('maxAttempts', policy.maxAttempts, 1);
  if (backoff.type !== 'fixed' && backoff.type !== 'exponential') throw new RangeError(`retry.backoff.type must be fixed or exponential, got ${String(backoff.type)}`);
  whole('backoff.initialMs', backoff.initialMs, 0);
  whole('backoff.maxMs', backoff.maxMs, backoff.initialMs);
  if (!(backoff.multiplier >= 1)) throw new RangeError(`retry.backoff.multiplier must be at least 1, got ${backoff.multiplier}`);
  if (!(backoff.jitter >= 0 && backoff.jitter <= 1)) throw new RangeError(`retry.backoff.jitter must be from 0 to 1, got ${backoff.jitter}`);
  if (policy.maxAgeMs !== undefined) whole('maxAgeMs', policy.maxAgeMs, 1);
  return policy;
}

/**
 * A definition's retry fields over an executor's options: each field the definition gives wins
 * (backoff field by field); a definition's initialMs above the resulting maxMs, when the definition
 * set no maxMs, raises the cap to it. Throws a RangeError naming the field, as retryPolicy does.
 */
export function policyWithDefinition(executor: RetryOptions, definition: RetryOptions): RetryPolicy {
  const defaults = retryPolicy(executor);
  const backoff = { ...executor.backoff, ...definition.backoff };
  if (definition.backoff?.maxMs === undefined && backoff.initialMs !== undefined) backoff.maxMs = Math.max(backoff.initialMs, backoff.maxMs ?? defaults.backoff.maxMs);
  return retryPolicy({ ...executor, ...definition, backoff });
}

/** The delay before attempt `attempt + 1` after attempt `attempt` failed; `random` is in [0, 1). */
export function retryDelayMs({ backoff }: RetryPolicy, attempt: number, random: number): number {
  const base = backoff.type === 'fixed' ? backoff.initialMs : backoff.initialMs * backoff.multiplier ** (attempt - 1);
  const capped = Math.min(base, backoff.maxMs);
  return Math.round(capped * (1 - backoff.jitter * random));
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

/**
 * Whether attempt `attempt` of a fire due at `scheduledAt`, failed at `now`, gets another one.
 * `requestedDelayMs` (a handler's RetryAfter) replaces the backoff delay.
 */
export function decideRetry(policy: RetryPolicy, attempt: number, scheduledAt: number, now: number, random: number, requestedDelayMs?: number): RetryDecision {
  if (attempt >= policy.maxAttempts) return { retry: false, reason: `attempt ${attempt} of ${policy.maxAttempts} failed` };
  const delayMs = requestedDelayMs ?? retryDelayMs(policy, attempt, random);
  if (policy.maxAgeMs !== undefined && now + delayMs - scheduledAt > policy.maxAgeMs) {
    return { retry: false, reason: `the next attempt would start ${now + delayMs - scheduledAt} ms after the due time, past maxAgeMs ${policy.maxAgeMs}` };
  }
  return { retry: true, delayMs };
}
