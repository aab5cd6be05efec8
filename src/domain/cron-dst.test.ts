/**
 * The daylight-saving rule of cron.ts against an oracle of its own: for each wall-clock time the
 * oracle solves local(i) = wall over Intl's offsets directly (no segments, no cron-parser), then
 * applies the policy. Every distinct offset history among the IANA zones in 2026, and zones whose
 * offsets move in unusual ways (30-minute shifts, a skipped day, negative DST, offsets that moved for
 * good) over many years. Policies rotate across zones and years, so each is checked many times.
 */
import { cronNextAfter, defaultDstPolicy } from './cron';
import type { DstPolicy } from './definition';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const formats = new Map<string, Intl.DateTimeFormat>();
/** Local wall-clock time of instant i in zone, as epoch ms of the same fields read in UTC. */
function localOf(zone: string, i: number): number {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(zone, format);
  }
  const [month, day, year, hour, minute, second] = (format.format(i).match(/\d+/g) ?? []).map(Number) as number[];
  const wall = new Date(Date.UTC(2000, (month as number) - 1, day, hour, minute, second));
  wall.setUTCFullYear(year as number);
  return wall.getTime() + (i - Math.floor(i / 1000) * 1000);
}

const SAMPLE_MS = 3 * HOUR;
const sampled = new Map<string, number>();
/** The offset at a multiple of SAMPLE_MS, remembered: walls near each other share their samples. */
function sampledOffset(zone: string, i: number): number {
  const key = `${zone}@${i}`;
  let offset = sampled.get(key);
  if (offset === undefined) {
    offset = localOf(zone, i) - i;
    sampled.set(key, offset);
  }
  return offset;
}

const instances = new Map<string, number[]>();
/** The instants whose wall clock shows `wall`, oldest first: every offset seen within 30 hours, tried. */
function instancesOf(zone: string, wall: number): number[] {
  const key = `${zone}@${wall}`;
  const known = instances.get(key);
  if (known) return known;
  const offsets = new Set<number>();
  const first = Math.floor((wall - 30 * HOUR) / SAMPLE_MS) * SAMPLE_MS;
  for (let i = first; i <= wall + 30 * HOUR; i += SAMPLE_MS) offsets.add(sampledOffset(zone, i));
  const found = [...offsets].map((offset) => wall - offset).filter((i) => localOf(zone, i) === wall).sort((a, b) => a - b);
  instances.set(key, found);
  return found;
}

/** For a wall time the clocks jumped over: the instant it would have had without the jump. */
function shiftedOf(zone: string, wall: number): number {
  const offsets = [...new Set(Array.from({ length: 61 }, (_, k) => wall + (k - 30) * HOUR).map((i) => localOf(zone, i) - i))];
  let low = wall - Math.max(...offsets);
  let high = wall - Math.min(...offsets);
  // The first instant whose wall clock is past `wall`: the end of the gap.
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (localOf(zone, middle) > wall) high = middle;
    else low = middle;
  }
  return wall - (localOf(zone, high - 1) - (high - 1));
}

function oracleFires(zone: string, wall: number, policy: DstPolicy): number[] {
  const instances = instancesOf(zone, wall);
  if (instances.length === 0) return policy.gap === 'shift' ? [shiftedOf(zone, wall)] : [];
  if (policy.overlap === 'both') return instances;
  return [policy.overlap === 'first' ? (instances[0] as number) : (instances[instances.length - 1] as number)];
}

interface Pattern {
  cron: string;
  /** Times of day in ms after local midnight the expression matches. */
  times: number[];
}

const PATTERNS: Pattern[] = [
  { cron: '30 2 * * *', times: [2.5 * HOUR] },
  { cron: '0 1 * * *', times: [HOUR] },
  { cron: '0 0 * * *', times: [0] },
  { cron: '45 23 * * *', times: [23.75 * HOUR] },
  { cron: '*/30 * * * *', times: Array.from({ length: 48 }, (_, k) => k * 30 * 60_000) },
];

const POLICIES: DstPolicy[] = ['shift', 'skip'].flatMap((gap) => ['first', 'last', 'both'].map((overlap) => ({ gap, overlap }) as DstPolicy));

/** Days (local midnights) within a day of an offset change in [from, to), found by sampling the offset. */
function daysNearChanges(zone: string, from: number, to: number): number[] {
  const days = new Set<number>();
  let previous = sampledOffset(zone, from);
  for (let i = from + SAMPLE_MS; i < to; i += SAMPLE_MS) {
    const offset = sampledOffset(zone, i);
    if (offset !== previous) {
      const day = Math.floor(localOf(zone, i) / DAY) * DAY;
      for (let k = -1; k <= 1; k++) days.add(day + k * DAY);
    }
    previous = offset;
  }
  return [...days].sort((a, b) => a - b);
}

/** Engine and oracle agree on every fire of `pattern` on the given local days, for `policy`. */
function compareDays(zone: string, pattern: Pattern, days: number[], policy: DstPolicy | undefined): void {
  const effective = policy ?? defaultDstPolicy(pattern.cron);
  for (const day of days) {
    // Instants in [day - 12 h, day + 12 h) can only be fires of wall times of the day before, the day
    // or the day after (offsets lie within -12 h and +14 h, a shift adds at most the gap).
    const expected = new Set<number>();
    for (const dayOffset of [-1, 0, 1]) for (const time of pattern.times) for (const i of oracleFires(zone, day + dayOffset * DAY + time, effective)) expected.add(i);
    const from = day - 12 * HOUR;
    const to = day + 12 * HOUR;
    const inRange = [...expected].filter((i) => i >= from && i < to).sort((a, b) => a - b);
    const fired: number[] = [];
    for (let t = cronNextAfter(pattern.cron, zone, from - 1, policy); t !== undefined && t < to; t = cronNextAfter(pattern.cron, zone, t, policy)) fired.push(t);
    if (fired.join() !== inRange.join()) {
      throw new Error(`${zone} ${pattern.cron} ${JSON.stringify(effective)} around ${new Date(day).toISOString().slice(0, 10)}: engine ${fired.map((t) => new Date(t).toISOString()).join(' ')} oracle ${inRange.map((t) => new Date(t).toISOString()).join(' ')}`);
    }
  }
}

/** The days around each offset change of a year for every pattern, and quiet days for the daily ones. */
function checkYear(zone: string, year: number, policies: (DstPolicy | undefined)[], quietDays = 12): number {
  const from = Date.UTC(year, 0, 1);
  const to = Date.UTC(year + 1, 0, 1);
  const near = daysNearChanges(zone, from, to);
  const monthly = Array.from({ length: quietDays }, (_, k) => Date.UTC(year, Math.floor((k * 12) / quietDays), 10));
  for (const policy of policies) {
    for (const pattern of PATTERNS) compareDays(zone, pattern, pattern.times.length > 1 ? near : [...new Set([...near, ...monthly])].sort((a, b) => a - b), policy);
  }
  return near.length;
}

/**
 * Zones whose offsets in `year` are the same at every instant, grouped: the offset on each day, and
 * each change bisected to the millisecond. Checking one zone per group checks every distinct offset
 * history there is that year.
 */
function zonesByOffsetHistory(zones: string[], year: number): string[][] {
  const groups = new Map<string, string[]>();
  const from = Date.UTC(year, 0, 1);
  for (const zone of zones) {
    const offset = (t: number): number => localOf(zone, t) - t;
    let previous = offset(from);
    const history = [previous];
    for (let t = from + DAY; t <= Date.UTC(year + 1, 0, 1); t += DAY) {
      const now = offset(t);
      if (now === previous) continue;
      let low = t - DAY;
      let high = t;
      while (high - low > 1) {
        const middle = Math.floor((low + high) / 2);
        if (offset(middle) === previous) low = middle;
        else high = middle;
      }
      history.push(high, now);
      previous = now;
    }
    const key = history.join();
    groups.set(key, [...(groups.get(key) ?? []), zone]);
  }
  return [...groups.values()];
}

describe('the DST rule holds against the oracle', () => {
  test('every distinct offset history of 2026 across the IANA zones: the default policy and one other, rotating', () => {
    const zones = Intl.supportedValuesOf('timeZone');
    expect(zones.length).toBeGreaterThan(300);
    const groups = zonesByOffsetHistory(zones, 2026);
    // Far fewer histories than zones (links, and zones that share their rules), but dozens of them.
    expect(groups.length).toBeGreaterThan(40);
    let transitionDays = 0;
    for (const [index, group] of groups.entries()) {
      transitionDays += checkYear(group[0] as string, 2026, [undefined, POLICIES[index % POLICIES.length]], 3);
    }
    // The comparison ran over real transitions, not only over quiet days.
    expect(transitionDays).toBeGreaterThan(100);
  });

  test.each([
    ['Australia/Lord_Howe', [1990, 2008, 2026]], // 30-minute DST
    ['Pacific/Apia', [2010, 2011, 2012]], // skipped 30 December 2011 (a 24-hour gap)
    ['Pacific/Kiritimati', [1994, 1995]], // moved from -10 to +14 across the date line
    ['Europe/Dublin', [1971, 2000, 2025]], // negative DST in the tz database
    ['Europe/Moscow', [2010, 2011, 2014]], // DST kept for good, then dropped by an hour
    ['Asia/Pyongyang', [2015, 2018]], // 30-minute shifts without DST
    ['America/Caracas', [2007, 2016]],
    ['Africa/Casablanca', [2012, 2013, 2019, 2026]], // DST suspended during Ramadan: four changes a year
    ['Antarctica/Troll', [2010, 2026]], // a 2-hour DST
    ['America/Sao_Paulo', [2000, 2018]], // changes at local midnight
    ['America/Santiago', [2016, 2026]],
    ['Asia/Tehran', [2008, 2021, 2023]],
    ['Asia/Kathmandu', [1985]], // +5:30 to +5:45
    ['America/St_Johns', [1988, 2026]], // -3:30 with a double DST year
    ['Pacific/Chatham', [2026]], // +12:45
    ['Africa/Monrovia', [1971, 1972]], // -0:44:30, seconds in the offset, until 1972
  ] as [string, number[]][])('%s over %j: the default policy and two others, rotating', (zone, years) => {
    let transitionDays = 0;
    for (const [index, year] of years.entries()) {
      const policies = [0, 3].map((k) => POLICIES[(zone.length + index + k) % POLICIES.length]);
      transitionDays += checkYear(zone, year, [undefined, ...policies], 3);
    }
    expect(transitionDays).toBeGreaterThan(0);
  });
});

describe('the oracle itself', () => {
  test('New York 2026-03-08 02:30 is a gap, 2026-11-01 01:30 an overlap', () => {
    const zone = 'America/New_York';
    expect(instancesOf(zone, Date.UTC(2026, 2, 8, 2, 30))).toEqual([]);
    expect(new Date(shiftedOf(zone, Date.UTC(2026, 2, 8, 2, 30))).toISOString()).toBe('2026-03-08T07:30:00.000Z');
    expect(instancesOf(zone, Date.UTC(2026, 10, 1, 1, 30)).map((t) => new Date(t).toISOString())).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z']);
  });
});
