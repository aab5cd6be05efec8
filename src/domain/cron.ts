/**
 * Cron expressions (5 fields, or 6 with seconds first) on the wall clock of an IANA time zone.
 *
 * cron-parser only matches fields, on a clock without daylight saving (UTC). Which real instants a
 * matching wall-clock time stands for is this file's rule, over the zone's offsets (zone-offsets.ts):
 * - a wall-clock time that exists once is that instant;
 * - one inside a gap (the clocks jumped over it) is moved forward by the gap (`gap: shift`: 02:30 on
 *   the night New York jumps from 02:00 to 03:00 fires at 03:30 EDT) or not fired (`gap: skip`);
 * - one inside an overlap (the clocks went back over it) fires at its `first` instance, its `last`,
 *   or `both`.
 * Instants that coincide (a shifted 02:30 and a real 03:30) fire once. The default policy is the rule
 * Punctual always had: gap shift, and overlap `both` for an expression whose hour field starts with
 * `*` (every 15 minutes keeps firing every 15 real minutes), else `first`.
 */
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import type { DstPolicy } from './definition';
import { ZoneOffsets, type OffsetSegment } from './zone-offsets';

/** A cron timeline that finds nothing within this many offset segments (about a century) has ended. */
const MAX_SEGMENTS = 250;
/** Parsed expressions kept for reuse; parsing costs more than a match. */
const PARSED_CACHE_SIZE = 10_000;
const parsed = new Map<string, CronExpression>();

export function isValidTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** Returns undefined when valid, else the reason. */
export function cronProblem(expression: string, timezone: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return `${JSON.stringify(expression)} has ${fields.length} fields; use 5 (minute hour day month weekday) or 6 (seconds first)`;
  }
  if (!isValidTimeZone(timezone)) return `timezone ${JSON.stringify(timezone)} is not an IANA time zone`;
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC', currentDate: new Date(0) }).next();
    return undefined;
  } catch (error) {
    return `${JSON.stringify(expression)} is not a valid cron expression: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The policy in force when a definition gives none. */
export function defaultDstPolicy(expression: string): DstPolicy {
  const fields = expression.trim().split(/\s+/);
  const hour = fields.length === 6 ? fields[2] : fields[1];
  return { gap: 'shift', overlap: hour?.startsWith('*') ? 'both' : 'first' };
}

/** The first instant strictly after `after` that the expression fires at in `timezone`. */
export function cronNextAfter(expression: string, timezone: string, after: number, policy: DstPolicy = defaultDstPolicy(expression)): number | undefined {
  const zone = ZoneOffsets.of(timezone);
  const matches = wallMatches(expression);
  let t = after + 1;
  for (let i = 0; i < MAX_SEGMENTS; i++) {
    const segment = zone.segmentAt(t);
    const found = firstInSegment(matches, segment, t, policy);
    if (found !== undefined) return found;
    t = segment.to;
  }
  return undefined;
}

/** The earliest fire instant in [t, segment.to). */
function firstInSegment(matchAtOrAfter: (wall: number) => number | undefined, segment: OffsetSegment, t: number, policy: DstPolicy): number | undefined {
  const { from, to, offsetMs, beforeMs, afterMs } = segment;
  let best: number | undefined;
  // Wall times of this segment that the segment before showed too (the clocks went back at `from`).
  const secondUntil = beforeMs > offsetMs ? from + beforeMs : -Infinity;
  // Wall times that the segment after shows again (the clocks go back at `to`).
  const firstFrom = afterMs < offsetMs ? to + afterMs : Infinity;
  for (let wall = matchAtOrAfter(t + offsetMs); wall !== undefined && wall < to + offsetMs; wall = matchAtOrAfter(wall + 1)) {
    const isSecond = wall < secondUntil;
    const isFirst = wall >= firstFrom;
    if ((isSecond && policy.overlap === 'first') || (isFirst && policy.overlap === 'last')) continue;
    best = wall - offsetMs;
    break;
  }
  if (policy.gap === 'shift' && beforeMs < offsetMs) {
    // Wall times in [from + before, from + offset) never showed: each fires as if the clocks had not jumped.
    const wall = matchAtOrAfter(Math.max(from, t) + beforeMs);
    if (wall !== undefined && wall < from + offsetMs) {
      const shifted = wall - beforeMs;
      if (shifted >= t && (best === undefined || shifted < best)) best = shifted;
    }
  }
  return best;
}

/** The first wall-clock time at or after `wall` (epoch ms of a UTC-read clock) that the expression matches. */
function wallMatches(expression: string): (wall: number) => number | undefined {
  let iterator = parsed.get(expression);
  if (!iterator) {
    if (parsed.size >= PARSED_CACHE_SIZE) parsed.clear();
    iterator = CronExpressionParser.parse(expression, { tz: 'UTC', currentDate: new Date(0) });
    parsed.set(expression, iterator);
  }
  const cron = iterator;
  return (wall) => {
    cron.reset(new Date(wall - 1));
    try {
      return cron.next().getTime();
    } catch {
      // Past the last date cron-parser can represent.
      return undefined;
    }
  };
}
