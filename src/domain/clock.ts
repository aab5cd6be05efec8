/**
 * Time, injected. Everything that decides when something fires or is retried (partition tasks,
 * firing, ingest, the node's task restarts, the REST apply wait) reads time through a Clock, so tests
 * drive it with ManualClock instead of sleeping. Only glue around clients reads the system clock
 * itself: the group consumer's heartbeat watch, the coordinator cache, HTTP request timeouts.
 */

export type CancelTimer = () => void;

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `callback` once `delayMs` have passed on this clock. */
  setTimer(delayMs: number, callback: () => void): CancelTimer;
}

/** setTimeout's longest delay (2^31 - 1 ms, ~24.8 days): a longer one fires after 1 ms instead. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (delayMs, callback) => {
    // A schedule's next bucket can open months ahead: wait in steps Node accepts, never spin.
    const at = Date.now() + Math.max(0, delayMs);
    let handle: NodeJS.Timeout;
    const arm = (): void => {
      const remaining = at - Date.now();
      handle = remaining > MAX_TIMEOUT_MS ? setTimeout(arm, MAX_TIMEOUT_MS) : setTimeout(callback, Math.max(0, remaining));
    };
    arm();
    return () => clearTimeout(handle);
  },
};

/** A clock that moves only when told to; due timers run in time order during advance(). */
export class ManualClock implements Clock {
  private timers: { at: number; seq: number; callback: () => void }[] = [];
  private seq = 0;

  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, callback: () => void): CancelTimer {
    const timer = { at: this.current + Math.max(0, delayMs), seq: this.seq++, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = next.at;
      next.callback();
    }
    this.current = target;
  }
}
