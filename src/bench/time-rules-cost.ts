/**
 * `npm run -s build && node dist/src/bench/time-rules-cost.js`: what windows, calendars, jitter and
 * the DST walk cost per occurrence, on one core, without Kafka. Prints microseconds per next().
 */
import type { Calendar } from '../domain/calendar';
import type { ScheduleDefinition, Timing } from '../domain/definition';
import { fireAtOf } from '../domain/jitter';
import { timelineOf } from '../domain/timeline';

const START = Date.UTC(2026, 0, 1);
const STEPS = 20_000;

function schedule(timing: Timing, extra: Partial<ScheduleDefinition> = {}): ScheduleDefinition {
  return { id: 'bench/n', host: 'bench', name: 'n', action: 'INSERT', timing, topic: 't', headers: {}, data: null, misfire: 'fire-once', ...extra };
}

const holidays: Calendar = { name: 'holidays', dates: Array.from({ length: 200 }, (_, k) => new Date(START + k * 5 * 86_400_000).toISOString().slice(0, 10)), weekdays: ['SUN'] };
const office: NonNullable<ScheduleDefinition['windows']> = [{ days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], from: '09:00', to: '17:00' }];

const cases: [string, ScheduleDefinition][] = [
  ['frequency 1 min', schedule({ kind: 'frequency', periodMs: 60_000 })],
  ['cron */5 UTC', schedule({ kind: 'cron', expression: '*/5 * * * *', timezone: 'UTC' })],
  ['cron */5 America/New_York', schedule({ kind: 'cron', expression: '*/5 * * * *', timezone: 'America/New_York' })],
  ['cron 30 2 New York, dst skip/last', schedule({ kind: 'cron', expression: '30 2 * * *', timezone: 'America/New_York', dst: { gap: 'skip', overlap: 'last' } })],
  ['frequency 1 min, office windows Berlin (defer)', schedule({ kind: 'frequency', periodMs: 60_000 }, { timezone: 'Europe/Berlin', windows: office })],
  ['frequency 1 min, office windows Berlin (skip)', schedule({ kind: 'frequency', periodMs: 60_000 }, { timezone: 'Europe/Berlin', windows: office, outsideWindow: 'skip' })],
  ['cron 0 9 daily, 200-date calendar', schedule({ kind: 'cron', expression: '0 9 * * *', timezone: 'Europe/Berlin' }, { exclude: ['holidays'] })],
];

for (const [label, definition] of cases) {
  const timeline = timelineOf(definition, START, { calendars: () => holidays });
  let t = timeline.next();
  // Warm-up: JIT and the zone's offset segments.
  for (let i = 0; i < 1_000 && t !== undefined; i++) t = timeline.next(t);
  const began = process.hrtime.bigint();
  for (let i = 0; i < STEPS && t !== undefined; i++) t = timeline.next(t);
  const micros = Number(process.hrtime.bigint() - began) / 1_000 / STEPS;
  console.log(`${label.padEnd(48)} ${micros.toFixed(2)} µs per next()`);
}

const jittered = schedule({ kind: 'frequency', periodMs: 1_000 }, { jitter: { maxMs: 30_000 } });
const began = process.hrtime.bigint();
for (let i = 0; i < STEPS; i++) fireAtOf(jittered, START + i * 1_000);
console.log(`${'jitter (fireAtOf, SHA-256 of the fire id)'.padEnd(48)} ${(Number(process.hrtime.bigint() - began) / 1_000 / STEPS).toFixed(2)} µs per occurrence`);
