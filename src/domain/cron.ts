/**
 * Cron expressions (5 fields, or 6 with seconds first) in an IANA time zone, through cron-parser.
 *
 * Daylight-saving rules, as cron-parser computes them (tested in timeline.test.ts):
 * - A wall-clock time inside the spring-forward gap fires once, moved forward by the gap
 *   (02:30 on the night clocks jump from 02:00 to 03:00 fires at 03:30 local time).
 * - In the repeated hour after falling back, an expression with a fixed hour fires once, at the
 *   first (daylight-time) instance; an expression matching every hour fires at each real hour,
 *   so the repeated hour's minutes fire twice.
 */
import { CronExpressionParser } from 'cron-parser';

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
    CronExpressionParser.parse(expression, { tz: timezone, currentDate: new Date(0) }).next();
    return undefined;
  } catch (error) {
    return `${JSON.stringify(expression)} is not a valid cron expression: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The first instant strictly after `after` that matches, in `timezone`. */
export function cronNextAfter(expression: string, timezone: string, after: number): number | undefined {
  const iterator = CronExpressionParser.parse(expression, { tz: timezone, currentDate: new Date(after) });
  if (!iterator.hasNext()) return undefined;
  return iterator.next().getTime();
}
