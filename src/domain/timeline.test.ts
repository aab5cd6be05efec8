import type { ScheduleDefinition, Timing } from './definition';
import { cronProblem } from './cron';
import { timelineOf, upcomingOccurrences } from './timeline';

const utc = (iso: string): number => Date.parse(iso);
const iso = (t: number | undefined): string | undefined => (t === undefined ? undefined : new Date(t).toISOString());

function schedule(timing: Timing, extra: Partial<ScheduleDefinition> = {}): ScheduleDefinition {
  return { id: 'h/n', host: 'h', name: 'n', action: 'INSERT', timing, topic: 't', headers: {}, data: null, misfire: 'fire-once', ...extra };
}

function take(definition: ScheduleDefinition, definedAt: number, count: number): string[] {
  const timeline = timelineOf(definition, definedAt);
  const out: string[] = [];
  for (let t = timeline.next(); t !== undefined && out.length < count; t = timeline.next(t)) out.push(iso(t) ?? '');
  return out;
}

describe('one-shots', () => {
  test('at fires once at its instant, even when defined after it', () => {
    expect(take(schedule({ kind: 'at', at: utc('2026-01-01T00:00:00Z') }), utc('2026-06-01T00:00:00Z'), 5)).toEqual(['2026-01-01T00:00:00.000Z']);
  });

  test('delay counts from the definition record timestamp', () => {
    expect(take(schedule({ kind: 'delay', delayMs: 1_500 }), utc('2026-01-01T00:00:00Z'), 5)).toEqual(['2026-01-01T00:00:01.500Z']);
  });

  test('an at outside [start, end) never fires', () => {
    const at = utc('2026-01-01T00:00:00Z');
    expect(take(schedule({ kind: 'at', at }, { end: at }), 0, 5)).toEqual([]);
    expect(take(schedule({ kind: 'at', at }, { start: at + 1 }), 0, 5)).toEqual([]);
  });
});

describe('frequency', () => {
  test('without start it aligns to the next multiple of the period since the epoch', () => {
    const definedAt = utc('2026-01-01T10:03:17Z');
    expect(take(schedule({ kind: 'frequency', periodMs: 5 * 60_000 }), definedAt, 3)).toEqual([
      '2026-01-01T10:05:00.000Z',
      '2026-01-01T10:10:00.000Z',
      '2026-01-01T10:15:00.000Z',
    ]);
  });

  test('a given start is honoured exactly', () => {
    const start = utc('2026-01-01T10:03:17.250Z');
    expect(take(schedule({ kind: 'frequency', periodMs: 60_000 }, { start }), start - 5_000, 2)).toEqual([
      '2026-01-01T10:03:17.250Z',
      '2026-01-01T10:04:17.250Z',
    ]);
  });

  test('a start in the past keeps its phase from the definition time on', () => {
    const start = utc('2026-01-01T00:00:00.500Z');
    expect(take(schedule({ kind: 'frequency', periodMs: 1_000 }, { start }), utc('2026-01-01T00:00:10.200Z'), 2)).toEqual([
      '2026-01-01T00:00:10.500Z',
      '2026-01-01T00:00:11.500Z',
    ]);
  });

  test('end is exclusive', () => {
    const start = utc('2026-01-01T00:00:00Z');
    expect(take(schedule({ kind: 'frequency', periodMs: 1_000 }, { start, end: start + 3_000 }), start, 10)).toHaveLength(3);
  });

  test('span counts occurrences arithmetically', () => {
    const timeline = timelineOf(schedule({ kind: 'frequency', periodMs: 1 }, { start: 0 }), 0);
    expect(timeline.span(10, 86_400_009, 5)).toEqual({ count: 86_400_000, last: 86_400_009 });
  });
});

describe('cron', () => {
  const cron = (expression: string, timezone = 'UTC'): Timing => ({ kind: 'cron', expression, timezone });

  test('five fields, in UTC by default', () => {
    expect(take(schedule(cron('0 9 * * 1-5')), utc('2026-01-02T10:00:00Z'), 2)).toEqual(['2026-01-05T09:00:00.000Z', '2026-01-06T09:00:00.000Z']);
  });

  test('six fields take seconds first', () => {
    expect(take(schedule(cron('*/20 * * * * *')), utc('2026-01-01T00:00:00Z'), 3)).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:40.000Z',
    ]);
  });

  test('a time zone shifts the wall clock: 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer', () => {
    expect(take(schedule(cron('0 9 * * *', 'Europe/Berlin')), utc('2026-01-10T00:00:00Z'), 1)).toEqual(['2026-01-10T08:00:00.000Z']);
    expect(take(schedule(cron('0 9 * * *', 'Europe/Berlin')), utc('2026-07-10T00:00:00Z'), 1)).toEqual(['2026-07-10T07:00:00.000Z']);
  });

  test('New York spring forward: 02:30 does not exist on 2026-03-08 and fires at 03:30 EDT instead', () => {
    expect(take(schedule(cron('30 2 * * *', 'America/New_York')), utc('2026-03-07T12:00:00Z'), 3)).toEqual([
      '2026-03-08T07:30:00.000Z', // 03:30 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
      '2026-03-10T06:30:00.000Z',
    ]);
  });

  test('Berlin spring forward: 02:30 on 2026-03-29 fires at 03:30 CEST', () => {
    expect(take(schedule(cron('30 2 * * *', 'Europe/Berlin')), utc('2026-03-28T12:00:00Z'), 2)).toEqual([
      '2026-03-29T01:30:00.000Z', // 03:30 CEST
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  test('every-30-minutes across the New York gap skips the wall times that do not exist', () => {
    expect(take(schedule(cron('*/30 * * * *', 'America/New_York')), utc('2026-03-08T05:30:00Z'), 5)).toEqual([
      '2026-03-08T05:30:00.000Z', // 00:30 EST
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T06:30:00.000Z', // 01:30 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-08T07:30:00.000Z', // 03:30 EDT
    ]);
  });

  test('New York fall back: a fixed 01:30 fires once, at its first (EDT) instance, on 2026-11-01', () => {
    expect(take(schedule(cron('30 1 * * *', 'America/New_York')), utc('2026-11-01T00:00:00Z'), 2)).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; 01:30 EST (06:30Z) does not fire
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  test('Berlin fall back: a fixed 02:30 fires once, at its first (CEST) instance, on 2026-10-25', () => {
    expect(take(schedule(cron('30 2 * * *', 'Europe/Berlin')), utc('2026-10-24T12:00:00Z'), 2)).toEqual([
      '2026-10-25T00:30:00.000Z', // 02:30 CEST; 02:30 CET (01:30Z) does not fire
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  test('hourly across the New York fall back fires at each real hour, so 01:00 local twice', () => {
    expect(take(schedule(cron('0 * * * *', 'America/New_York')), utc('2026-11-01T04:30:00Z'), 3)).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T07:00:00.000Z', // 02:00 EST
    ]);
  });

  test('end and the definition time bound a cron timeline', () => {
    const definedAt = utc('2026-01-01T00:00:30Z');
    expect(take(schedule(cron('* * * * *'), { end: utc('2026-01-01T00:03:00Z') }), definedAt, 10)).toEqual([
      '2026-01-01T00:01:00.000Z',
      '2026-01-01T00:02:00.000Z',
    ]);
  });
});

describe('cron validation', () => {
  test.each([
    ['* * * *', 'UTC', 'has 4 fields'],
    ['61 * * * *', 'UTC', 'not a valid cron expression'],
    ['0 0 30 2 *', 'UTC', 'not a valid cron expression'],
    ['* * * * *', 'Mars/Olympus', 'not an IANA time zone'],
  ])('%s in %s is refused', (expression, timezone, reason) => {
    expect(cronProblem(expression, timezone)).toContain(reason);
  });

  test('a valid expression and zone pass', () => {
    expect(cronProblem('0 9 * * 1-5', 'America/New_York')).toBeUndefined();
  });
});

describe('upcoming occurrences', () => {
  test('follow the timeline from the next due time, within the limit and the end', () => {
    const start = utc('2026-01-01T00:00:00Z');
    const every = schedule({ kind: 'frequency', periodMs: 60_000 }, { start, end: start + 5 * 60_000 });
    expect(upcomingOccurrences(every, start + 60_000, Infinity, 10).map(iso)).toEqual([
      '2026-01-01T00:01:00.000Z',
      '2026-01-01T00:02:00.000Z',
      '2026-01-01T00:03:00.000Z',
      '2026-01-01T00:04:00.000Z',
    ]);
    expect(upcomingOccurrences(every, start, 2, 10)).toHaveLength(2);
    expect(upcomingOccurrences(schedule({ kind: 'cron', expression: '0 9 * * *', timezone: 'America/New_York' }), utc('2026-03-07T14:00:00Z'), Infinity, 3).map(iso)).toEqual([
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
    ]);
    expect(upcomingOccurrences(schedule({ kind: 'at', at: start }), start, 1, 5)).toEqual([start]);
  });
});
