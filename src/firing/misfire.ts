/**
 * Which occurrences of one schedule to emit now. An occurrence due more than `lateThresholdMs` ago
 * is a misfire (its partition had no owner, or the node was stalled); the schedule's policy decides:
 * - fire-all: emit every missed occurrence, in order;
 * - fire-once: emit one event for the latest missed occurrence, count the others as missed;
 * - skip: emit none of them, count them all as missed.
 * Occurrences within the threshold are emitted whatever the policy.
 */
import type { MisfirePolicy } from '../domain/definition';
import type { Timeline } from '../domain/timeline';

export interface FirePlan {
  /** Scheduled times to emit now, in time order. */
  fires: number[];
  /** Occurrences that will never be emitted. */
  missed: number;
  /** The next due time after this plan; undefined when the schedule has no more occurrences. */
  next: number | undefined;
}

export interface PlanInput {
  timeline: Timeline;
  policy: MisfirePolicy;
  nextDueAt: number;
  now: number;
  lateThresholdMs: number;
  /** Fires still allowed by the schedule's limit. */
  remaining: number;
  /** Most fires to return; the rest come in the next plan. */
  maxFires: number;
  /** When an occurrence fires (its jitter); its scheduled time when not given. */
  fireAt?: (scheduledAt: number) => number;
}

/** Occurrences counted per step when skipping a long run of misfires on a cron timeline. */
const SPAN_CAP = 10_000;

export function planFires({ timeline, policy, nextDueAt, now, lateThresholdMs, remaining, maxFires, fireAt = (t) => t }: PlanInput): FirePlan {
  const fires: number[] = [];
  let missed = 0;
  const lateUntil = now - lateThresholdMs;
  let t: number | undefined = nextDueAt;
  // In time order: an occurrence whose jitter is not over holds back the ones after it.
  while (t !== undefined && fireAt(t) <= now && fires.length < Math.min(maxFires, remaining)) {
    if (fireAt(t) >= lateUntil || policy === 'fire-all') {
      fires.push(t);
      t = timeline.next(t);
      continue;
    }
    // A run of misfires from t to just before lateUntil, counted in steps so a long outage stays cheap.
    let last = t;
    for (;;) {
      const span = timeline.span(t, lateUntil - 1, SPAN_CAP);
      missed += span.count;
      last = span.last ?? last;
      t = timeline.next(last);
      if (span.count < SPAN_CAP || t === undefined || t >= lateUntil) break;
    }
    if (policy === 'fire-once') {
      missed -= 1;
      fires.push(last);
    }
  }
  return { fires, missed, next: fires.length >= remaining ? undefined : t };
}
