import { MEMORY_LEVEL, openTime, placeOccurrence } from './time-buckets';

const now = Date.UTC(2026, 0, 10, 12, 0, 0, 0);
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

test.each([
  ['in 3 days', 3 * DAY, 0],
  ['in 50 hours', 50 * HOUR, 0],
  ['in 30 hours (its day bucket opened at midnight)', 30 * HOUR, 1],
  ['in 5 hours', 5 * HOUR, 1],
  ['in 10 minutes', 10 * MINUTE, 2],
  ['in 30 seconds', 30 * SECOND, 3],
  ['in 2.5 seconds', 2.5 * SECOND, 3],
  ['in 500 ms', 500, MEMORY_LEVEL],
  ['already due', -100, MEMORY_LEVEL],
])('an occurrence due %s lands at level %#', (_label, distance, level) => {
  expect(placeOccurrence(now + distance, now).level).toBe(level);
});

test('an occurrence is promoted level by level as the clock approaches its due time', () => {
  const dueAt = now + 2 * DAY + 3 * HOUR + 4 * MINUTE + 5 * SECOND + 6;
  const levels: number[] = [];
  let clock = now;
  let place = placeOccurrence(dueAt, clock);
  levels.push(place.level);
  while (place.level !== MEMORY_LEVEL) {
    // Jump to the moment this bucket opens, and re-place the occurrence then.
    clock = openTime(place.level, place.bucket);
    const next = placeOccurrence(dueAt, clock);
    expect(next.level).toBeGreaterThan(place.level);
    place = next;
    levels.push(place.level);
  }
  expect(levels).toEqual([0, 1, 2, 3, MEMORY_LEVEL]);
  // It reaches memory at most two seconds before it is due.
  expect(dueAt - clock).toBeLessThanOrEqual(2 * SECOND);
  expect(dueAt - clock).toBeGreaterThan(0);
});

test('a bucket opens one width before it starts', () => {
  const place = placeOccurrence(now + 5 * HOUR + 30 * MINUTE, now);
  expect(place.level).toBe(1);
  expect(openTime(place.level, place.bucket)).toBe(now + 4 * HOUR);
});
