/** Polling until something holds, on an injected clock. */
import { systemClock, type Clock } from '../domain/clock';

/** waitFor gave up: what it waited for did not come within its timeout. */
export class WaitTimeoutError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WaitTimeoutError';
  }
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  clock?: Clock;
}

/**
 * Polls `probe` until it returns a value other than undefined/false, or fails with a
 * WaitTimeoutError naming what it waited for (and the probe's last error, which never ends the wait).
 */
export async function waitFor<T>(description: string, probe: () => T | undefined | false | Promise<T | undefined | false>, { timeoutMs = 30_000, intervalMs = 50, clock = systemClock }: WaitOptions = {}): Promise<T> {
  const deadline = clock.now() + timeoutMs;
  let lastError: unknown;
  while (clock.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise<void>((resolve) => clock.setTimer(intervalMs, resolve));
  }
  const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
  throw new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${description}${cause}`, { cause: lastError });
}
