/**
 * A time zone's UTC offsets over time, from the tz database the runtime ships (through Intl).
 *
 * The timeline of a zone is cut into segments of one constant offset. A segment ends at an offset
 * transition or at a UTC year's start (a boundary where the offset does not change), so a zone
 * without daylight saving still has bounded segments. Transitions are found once per zone and year,
 * by probing the offset every few hours and bisecting each change to the millisecond, and cached.
 */

/** [from, to) with one offset; `before` is the offset in force just before `from`, `after` from `to` on. */
export interface OffsetSegment {
  from: number;
  to: number;
  offsetMs: number;
  beforeMs: number;
  afterMs: number;
}


/** Offset changes closer together than this are not all seen (none in the tz database is). */
const PROBE_STEP_MS = 3 * 3_600_000;
/** How en-US formats the fields below: "3/29/2026, 02:30:00". */
const WALL_CLOCK = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)$/;

export class ZoneOffsets {
  private static readonly zones = new Map<string, ZoneOffsets>();
  private readonly format: Intl.DateTimeFormat;
  private readonly years = new Map<number, OffsetSegment[]>();

  static of(timezone: string): ZoneOffsets {
    let zone = ZoneOffsets.zones.get(timezone);
    if (!zone) {
      zone = new ZoneOffsets(timezone);
      ZoneOffsets.zones.set(timezone, zone);
    }
    return zone;
  }

  private constructor(readonly timezone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** The offset (local minus UTC) at instant t, to the second, straight from Intl. */
  offsetAt(t: number): number {
    // format() and a pattern: several times faster than formatToParts.
    const match = WALL_CLOCK.exec(this.format.format(t));
    if (!match) throw new Error(`unexpected wall clock ${JSON.stringify(this.format.format(t))} in ${this.timezone}`);
    const [, month, day, year, hour, minute, second] = match.map(Number) as number[];
    const local = new Date(Date.UTC(2000, (month as number) - 1, day, hour, minute, second));
    // setUTCFullYear: Date.UTC reads years 0-99 as 1900-1999.
    local.setUTCFullYear(year as number);
    return local.getTime() - Math.floor(t / 1_000) * 1_000;
  }

  /** The local wall-clock time of t, as the epoch milliseconds of the same fields read in UTC. */
  wallAt(t: number): number {
    return t + this.segmentAt(t).offsetMs;
  }

  segmentAt(t: number): OffsetSegment {
    const segments = this.segmentsOf(new Date(t).getUTCFullYear());
    let low = 0;
    let high = segments.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if ((segments[middle] as OffsetSegment).from <= t) low = middle;
      else high = middle - 1;
    }
    return segments[low] as OffsetSegment;
  }

  /** The segments that cover UTC year `year`, in time order. */
  private segmentsOf(year: number): OffsetSegment[] {
    const cached = this.years.get(year);
    if (cached) return cached;
    const start = Date.UTC(year, 0, 1);
    const end = Date.UTC(year + 1, 0, 1);
    const bounds = [start, ...this.transitionsIn(start, end), end];
    const offsets = bounds.map((t) => this.offsetAt(t));
    const segments: OffsetSegment[] = [];
    for (let i = 0; i + 1 < bounds.length; i++) {
      segments.push({
        from: bounds[i] as number,
        to: bounds[i + 1] as number,
        offsetMs: offsets[i] as number,
        beforeMs: i === 0 ? this.offsetAt(start - 1) : (offsets[i - 1] as number),
        afterMs: offsets[i + 1] as number,
      });
    }
    this.years.set(year, segments);
    return segments;
  }

  /** Instants in (start, end) where the offset changes (a change exactly at `start` is the first segment's `before`). */
  private transitionsIn(start: number, end: number): number[] {
    const transitions: number[] = [];
    let t = start;
    let offset = this.offsetAt(t);
    while (t < end - 1) {
      const probe = Math.min(t + PROBE_STEP_MS, end - 1);
      if (this.offsetAt(probe) === offset) {
        t = probe;
        continue;
      }
      // The first millisecond in (t, probe] with another offset.
      let low = t;
      let high = probe;
      while (high - low > 1) {
        const middle = Math.floor((low + high) / 2);
        if (this.offsetAt(middle) === offset) low = middle;
        else high = middle;
      }
      transitions.push(high);
      offset = this.offsetAt(high);
      t = high;
    }
    return transitions;
  }
}
