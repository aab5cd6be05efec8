/**
 * Firing one due schedule: which occurrences to emit and the state after them. Pure. In order:
 * triggered fires (paused or not), then, unless paused, the occurrences still to skip, the regular
 * occurrences under the misfire policy, and the backfill's fires its throttle allows by now.
 */
import type { Occurrence } from '../domain/execution-event';
import type { CalendarLookup } from '../domain/calendar';
import { fireAtOf } from '../domain/jitter';
import { backfillTimeline, timelineOf } from '../domain/timeline';
import { hasWorkLeft, type BackfillProgress, type ScheduleState } from '../domain/schedule-state';
import { planFires } from './misfire';

/** A fire outside the regular run: asked for now (trigger), or an occurrence of a past range (backfill). */
export interface ExtraFire {
  origin: 'trigger' | 'backfill';
  scheduledAt: number;
  /** The trigger's own fire id; a backfilled occurrence has its regular one. */
  fireId?: string;
}

export interface FireOutcome {
  occurrences: Occurrence[];
  extras: ExtraFire[];
  missed: number;
  /** Occurrences the schedule's windows and exclusion calendars dropped, and those a skip control dropped. */
  skipped: number;
  /** The state after these fires; null when the schedule has nothing more to fire (finished). */
  next: ScheduleState | null;
}

export function fireDue(state: ScheduleState, now: number, lateThresholdMs: number, maxFires: number, calendars?: CalendarLookup): FireOutcome {
  const { definition } = state;
  let budget = maxFires;
  const extras: ExtraFire[] = [];
  let after: ScheduleState = { ...state };

  const triggers = state.triggers ?? [];
  if (triggers.length > 0) {
    const taken = triggers.slice(0, budget);
    extras.push(...taken.map((trigger): ExtraFire => ({ origin: 'trigger', scheduledAt: trigger.scheduledAt, fireId: trigger.fireId })));
    budget -= taken.length;
    after.triggered = (state.triggered ?? 0) + taken.length;
    if (taken.length < triggers.length) after.triggers = triggers.slice(taken.length);
    else delete after.triggers;
  }
  if (state.paused) return { occurrences: [], extras, missed: 0, skipped: 0, next: after };

  // What the rules dropped up to nextDueAt was counted when nextDueAt was found.
  const skips = { count: 0, through: state.nextDueAt ?? Number.POSITIVE_INFINITY };
  const timeline = timelineOf(definition, state.definedAt, { calendars, skips });
  let nextDueAt = state.nextDueAt;
  let skipNext = state.skipNext ?? 0;
  let skippedByControl = 0;
  while (skipNext > 0 && nextDueAt !== null && fireAtOf(definition, nextDueAt) <= now) {
    nextDueAt = timeline.next(nextDueAt) ?? null;
    skipNext--;
    skippedByControl++;
  }
  if (skipNext > 0) after.skipNext = skipNext;
  else delete after.skipNext;

  let occurrences: Occurrence[] = [];
  let missed = 0;
  if (nextDueAt !== null && fireAtOf(definition, nextDueAt) <= now && budget > 0) {
    const plan = planFires({
      timeline,
      fireAt: (t) => fireAtOf(definition, t),
      policy: definition.misfire,
      nextDueAt,
      now,
      lateThresholdMs,
      remaining: (definition.limit ?? Number.POSITIVE_INFINITY) - state.fired,
      maxFires: budget,
    });
    occurrences = plan.fires.map((scheduledAt, i) => ({ scheduledAt, occurrence: state.fired + i + 1 }));
    budget -= occurrences.length;
    missed = plan.missed;
    nextDueAt = plan.next ?? null;
  }
  const last = occurrences[occurrences.length - 1];
  const skipped = skips.count + skippedByControl;
  after = {
    ...after,
    nextDueAt,
    fired: state.fired + occurrences.length,
    missed: state.missed + missed,
    ...(skipped > 0 || state.skipped !== undefined ? { skipped: (state.skipped ?? 0) + skipped } : {}),
    lastScheduledAt: last?.scheduledAt ?? state.lastScheduledAt,
    lastFiredAt: last || extras.length > 0 ? now : state.lastFiredAt,
  };

  if (state.backfill) {
    const { fires, progress } = backfillFires(state, state.backfill, now, budget, calendars);
    extras.push(...fires.map((scheduledAt): ExtraFire => ({ origin: 'backfill', scheduledAt })));
    if (progress.next === null) {
      delete after.backfill;
      after.lastBackfill = { ...progress, endedAt: now, cancelled: false };
    } else after.backfill = progress;
  }
  return { occurrences, extras, missed, skipped, next: hasWorkLeft(after) ? after : null };
}

/** The backfill's next fires that its throttle allows by `now`, at most `budget`. */
function backfillFires(state: ScheduleState, given: BackfillProgress, now: number, budget: number, calendars?: CalendarLookup): { fires: number[]; progress: BackfillProgress } {
  // The pace counts from the first fire, not from when the backfill was asked for: a first fire that
  // came late must not let the next ones come faster than the throttle.
  const backfill = given.emitted === 0 ? { ...given, pacedFrom: now } : given;
  // A tiny margin: emitted * 1000 / perSecond * perSecond / 1000 may come out just below emitted.
  const allowed = Math.floor(((now - backfill.pacedFrom) * backfill.perSecond) / 1000 + 1e-9) + 1 - backfill.emitted;
  const range = backfillTimeline(state.definition, backfill.from, backfill.to, calendars);
  const fires: number[] = [];
  let t = backfill.next;
  while (t !== null && fires.length < Math.min(allowed, budget)) {
    fires.push(t);
    t = range.next(t) ?? null;
  }
  return { fires, progress: { ...backfill, next: t, emitted: backfill.emitted + fires.length } };
}
