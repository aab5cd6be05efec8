import type { Calendar } from './calendar';
import type { ScheduleDefinition, Timing } from './definition';
import { timelineOf, type TimelineContext } from './timeline';

const utc = (iso: string): number => Date.parse(iso);
const iso = (t: number): string => new Date(t).toISOString().replace(':00.000Z', 'Z');
const HOUR = 3_600_000;

function schedule(timing: Timing, extra: Partial<ScheduleDefinition> = {}): ScheduleDefinition {
  return { id: 'h/n', host: 'h', name: 'n', action: 'INSERT', timing, topic: 't', headers: {}, data: null, misfire: 'fire-once', ...extra };
}

function take(definition: ScheduleDefinition, definedAt: number, count: number, context: TimelineContext = {}): string[] {
  const timeline = timelineOf(definition, definedAt, context);
  const out: string[] = [];
  for (let t = timeline.next(); t !== undefined && out.length < count; t = timeline.next(t)) out.push(iso(t));
  return out;
}

const hourly: Timing = { kind: 'frequency', periodMs: HOUR };
const officeHours = [{ days: ['MON', 'TUE', 'WED', 'THU', 'FRI'] as const, from: '09:00', to: '17:00' }].map((w) => ({ ...w, days: [...w.days] }));
// 2026-12-04 is a Friday; Berlin is UTC+1 in December.
const fridayAfternoon = utc('2026-12-04T14:30:00Z');

describe('execution windows', () => {
  test('defer: occurrences outside the window fire once, at the next opening (a weekend waits for Monday)', () => {
    const skips = { count: 0, through: -Infinity };
    const definition = schedule(hourly, { timezone: 'Europe/Berlin', windows: officeHours });
    expect(take(definition, fridayAfternoon, 4, { skips })).toEqual(['2026-12-04T15:00Z', '2026-12-07T08:00Z', '2026-12-07T09:00Z', '2026-12-07T10:00Z']);
    // 16:00 Friday to 09:00 Monday Berlin: 65 hourly occurrences, one fired as the opening, 64 folded into it.
    expect(skips.count).toBe(64);
  });

  test('skip: occurrences outside the window are dropped and counted', () => {
    const skips = { count: 0, through: -Infinity };
    const definition = schedule(hourly, { timezone: 'Europe/Berlin', windows: officeHours, outsideWindow: 'skip' });
    expect(take(definition, fridayAfternoon, 3, { skips })).toEqual(['2026-12-04T15:00Z', '2026-12-07T08:00Z', '2026-12-07T09:00Z']);
    expect(skips.count).toBe(64);
  });

  test('a deferred occurrence lands at the opening even when the timing has none there', () => {
    const daily = schedule({ kind: 'cron', expression: '30 18 * * *', timezone: 'Europe/Berlin' }, { windows: officeHours });
    expect(take(daily, fridayAfternoon, 3)).toEqual(['2026-12-07T08:00Z', '2026-12-08T08:00Z', '2026-12-09T08:00Z']);
  });

  test('a window that crosses midnight belongs to the day it opens on', () => {
    const nights = schedule(hourly, { windows: [{ days: ['FRI'], from: '22:00', to: '02:00' }], outsideWindow: 'skip' });
    expect(take(nights, fridayAfternoon, 5)).toEqual(['2026-12-04T22:00Z', '2026-12-04T23:00Z', '2026-12-05T00:00Z', '2026-12-05T01:00Z', '2026-12-11T22:00Z']);
  });

  test('an opening the clocks jump over opens when the jump lands', () => {
    // New York 2026-03-08: 02:00 EST jumps to 03:00 EDT; the window opens at 02:30.
    const definition = schedule({ kind: 'at', at: utc('2026-03-08T06:45:00Z') }, { timezone: 'America/New_York', windows: [{ days: ['SUN'], from: '02:30', to: '04:00' }] });
    expect(take(definition, 0, 2)).toEqual(['2026-03-08T07:00Z']);
  });

  test('nothing fires at or after end, deferred or not', () => {
    const definition = schedule(hourly, { timezone: 'Europe/Berlin', windows: officeHours, end: utc('2026-12-05T00:00:00Z') });
    expect(take(definition, fridayAfternoon, 5)).toEqual(['2026-12-04T15:00Z']);
  });

  test('windows without a timezone are read in UTC', () => {
    const definition = schedule(hourly, { windows: [{ days: ['FRI'], from: '15:00', to: '16:00' }] });
    expect(take(definition, fridayAfternoon, 2)).toEqual(['2026-12-04T15:00Z', '2026-12-11T15:00Z']);
  });
});

describe('exclusion calendars', () => {
  const calendars: Record<string, Calendar> = {
    holidays: { name: 'holidays', dates: ['2026-12-25'], yearly: ['01-01'], ranges: [{ from: '2026-12-28', to: '2026-12-30' }] },
    weekends: { name: 'weekends', weekdays: ['SAT', 'SUN'] },
    mondays: { name: 'mondays', dates: ['2026-12-07'] },
  };
  const lookup = (name: string): Calendar | undefined => calendars[name];
  const daily = (extra: Partial<ScheduleDefinition> = {}): ScheduleDefinition => schedule({ kind: 'cron', expression: '0 10 * * *', timezone: 'America/New_York' }, { exclude: ['holidays', 'weekends'], ...extra });

  test('no occurrence fires on an excluded local day; dates, ranges, yearly dates and weekdays all count', () => {
    const skips = { count: 0, through: -Infinity };
    const fires = take(daily(), utc('2026-12-23T00:00:00Z'), 5, { calendars: lookup, skips });
    // 24 Thu; 25 holiday; 26/27 weekend; 28-30 range; 31 Thu; 1 Jan yearly; 2/3 weekend; 4 Mon.
    expect(fires).toEqual(['2026-12-23T15:00Z', '2026-12-24T15:00Z', '2026-12-31T15:00Z', '2027-01-04T15:00Z', '2027-01-05T15:00Z']);
    expect(skips.count).toBe(9);
  });

  test('days are local: 23:30 on 24 December in New York (04:30 UTC on the 25th) is not excluded by 25 December', () => {
    const late = schedule({ kind: 'cron', expression: '30 23 24 12 *', timezone: 'America/New_York' }, { exclude: ['holidays'] });
    // 23:30 EST on the 24th is 04:30 UTC on the 25th.
    expect(take(late, utc('2026-12-01T00:00:00Z'), 1, { calendars: lookup })).toEqual(['2026-12-25T04:30Z']);
  });

  test('a window on an excluded day does not open: a deferral waits for the next day that is not', () => {
    const definition = schedule({ kind: 'cron', expression: '0 18 * * FRI', timezone: 'Europe/Berlin' }, { windows: officeHours, exclude: ['mondays'] });
    expect(take(definition, fridayAfternoon, 1, { calendars: lookup })).toEqual(['2026-12-08T08:00Z']);
  });

  test('a calendar not found excludes nothing', () => {
    expect(take(daily({ exclude: ['gone'] }), utc('2026-12-25T00:00:00Z'), 1, { calendars: lookup })).toEqual(['2026-12-25T15:00Z']);
  });

  test('a schedule whose every day is excluded has no more occurrences', () => {
    const always: Calendar = { name: 'always', weekdays: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] };
    expect(take(daily({ exclude: ['always'] }), 0, 1, { calendars: () => always })).toEqual([]);
  });
});

describe('counting what the rules drop', () => {
  test('a frequency timing counts a dropped stretch exactly; a cron timing counts at most 1,000 per stretch', () => {
    const windows = [{ days: ['MON', 'TUE', 'WED', 'THU', 'FRI'] as ('MON' | 'TUE' | 'WED' | 'THU' | 'FRI')[], from: '09:00', to: '17:00' }];
    const friday = utc('2026-12-04T16:59:59Z');
    const everySecond = { count: 0, through: -Infinity };
    expect(take(schedule({ kind: 'frequency', periodMs: 1_000 }, { windows }), friday, 2, { skips: everySecond })).toEqual(['2026-12-04T16:59:59.000Z', '2026-12-07T09:00Z']);
    // 17:00:00 Friday to 09:00:00 Monday, one fired as the opening.
    expect(everySecond.count).toBe(64 * 3_600);
    const cronEverySecond = { count: 0, through: -Infinity };
    expect(take(schedule({ kind: 'cron', expression: '* * * * * *', timezone: 'UTC' }, { windows }), friday, 2, { skips: cronEverySecond })).toEqual(['2026-12-04T16:59:59.000Z', '2026-12-07T09:00Z']);
    expect(cronEverySecond.count).toBe(1_000);
  });
});
