/**
 * The occurrences a schedule fires, from those its timing gives (timeline.ts), under its rules:
 * - an occurrence on a day of an exclusion calendar is dropped;
 * - one outside every execution window is deferred to the next window opening (`defer`: several
 *   deferred to the same opening fire once, as that opening) or dropped (`skip`).
 * What the rules drop is counted in a SkipCount. The rules read days and windows on the wall clock
 * of the schedule's zone.
 */
import { DAY_MS, dayOfWall, firstInstantAtWall } from './local-days';
import type { WindowSet } from './execution-windows';
import type { Timeline } from './timeline';
import type { ZoneOffsets } from './zone-offsets';

/** A window or a day that does not come within this long never does: the schedule has ended. */
const HORIZON_DAYS = 2 * 366;
/**
 * Dropped occurrences counted per stretch at most. A frequency timing counts a stretch arithmetically
 * and exactly; a cron timing counts one match at a time (tens of µs each), so a per-second cron
 * deferred over a weekend counts 1,000 rather than stall its partition for seconds.
 */
const COUNT_CAP = 1_000;

export interface Rules {
  zone: ZoneOffsets;
  windows?: WindowSet;
  outsideWindow: 'defer' | 'skip';
  isExcludedDay: (day: number) => boolean;
  /** The schedule's end: nothing fires at or after it. */
  end: number;
}

/** Occurrences the rules dropped; `through` is the last one counted, so walking a stretch again counts nothing twice. */
export interface SkipCount {
  count: number;
  through: number;
}

export function ruledNext(base: Timeline, rules: Rules, skips?: SkipCount): (after?: number) => number | undefined {
  /** Counts the occurrences of the timing in [from, until] as dropped. */
  const drop = (from: number | undefined, until: number): void => {
    if (!skips || from === undefined || until <= skips.through) return;
    const start = from > skips.through ? from : base.next(skips.through);
    if (start === undefined || start > until) return;
    const span = base.span(start, until, COUNT_CAP);
    skips.count += span.count;
    skips.through = span.last ?? until;
  };

  return (after) => {
    let t = after === undefined ? base.next() : base.next(after);
    while (t !== undefined) {
      const wall = rules.zone.wallAt(t);
      const day = dayOfWall(wall);
      if (rules.isExcludedDay(day)) {
        let resumeDay = day + 1;
        while (rules.isExcludedDay(resumeDay) && resumeDay < day + HORIZON_DAYS) resumeDay++;
        if (resumeDay >= day + HORIZON_DAYS) {
          drop(t, t);
          return undefined;
        }
        const resume = firstInstantAtWall(rules.zone, resumeDay * DAY_MS, t);
        drop(t, resume - 1);
        t = base.next(resume - 1);
        continue;
      }
      if (!rules.windows || rules.windows.contains(wall)) return t < rules.end ? t : undefined;
      const opens = rules.windows.nextOpenInstant(rules.zone, t, Math.min(t + HORIZON_DAYS * DAY_MS, rules.end));
      if (opens === undefined) {
        drop(t, t);
        return undefined;
      }
      if (rules.outsideWindow === 'defer') {
        // t fires as the opening; the others up to it fold into that one fire.
        drop(base.next(t), opens);
        return opens;
      }
      drop(t, opens - 1);
      t = base.next(opens - 1);
    }
    return undefined;
  };
}
