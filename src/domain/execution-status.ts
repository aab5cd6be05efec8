/**
 * The records executors write to the status topic (one per attempt's start and one per attempt's
 * end), keyed by schedule id so each status partition lines up with its definitions partition. The
 * executor writes them (src/executor/status-record.ts); the owning node reads them into each
 * schedule's history (occurrence-outcome.ts). A record that does not parse is refused with the
 * field that is wrong: a node skips it and its partition keeps flowing.
 */

/**
 * `started`: an attempt began. The attempt's end is one of: `succeeded`; `retrying` (it failed and
 * the next attempt is scheduled at `nextAttemptAt`); `dead-lettered` (it failed and is not retried).
 */
export const EXECUTION_STATUSES = ['started', 'succeeded', 'retrying', 'dead-lettered'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export interface ErrorSummary {
  type: string;
  message: string;
}

export interface StatusValue {
  fireId: string;
  /** The schedule id, `<host>/<name>`. */
  id: string;
  occurrence: number;
  scheduledAt: string;
  attempt: number;
  status: ExecutionStatus;
  capability: string;
  executorId: string;
  startedAt: string;
  /** Absent on `started`. */
  finishedAt?: string;
  durationMs?: number;
  result?: unknown;
  error?: ErrorSummary;
  /** With status retrying: when the next attempt is due. */
  nextAttemptAt?: string;
}

export type ParsedStatus = { status: StatusValue } | { refused: string };

/** The status value of a record's bytes, or why it is none. */
export function parseStatusValue(value: Buffer | null): ParsedStatus {
  if (value === null) return { refused: 'a status record has no value' };
  let body: unknown;
  try {
    body = JSON.parse(value.toString('utf8'));
  } catch {
    return { refused: 'a status record value is not JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { refused: 'a status record value is not a JSON object' };
  const fields = body as Record<string, unknown>;
  const wrong = firstWrongField(fields);
  return wrong === undefined ? { status: fields as unknown as StatusValue } : { refused: `status record field ${wrong.field} is ${JSON.stringify(wrong.value) ?? 'undefined'}: ${wrong.expected}` };
}

function firstWrongField(fields: Record<string, unknown>): { field: string; value: unknown; expected: string } | undefined {
  const isText = (value: unknown): boolean => typeof value === 'string' && value.length > 0;
  const isTime = (value: unknown): boolean => typeof value === 'string' && Number.isFinite(Date.parse(value));
  const positive = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 1;
  const checks: [string, (value: unknown) => boolean, string, boolean][] = [
    ['fireId', isText, 'a non-empty string', true],
    ['id', (value) => isText(value) && (value as string).includes('/'), 'a schedule id <host>/<name>', true],
    ['occurrence', positive, 'a whole number of at least 1', true],
    ['scheduledAt', isTime, 'an ISO-8601 time', true],
    ['attempt', positive, 'a whole number of at least 1', true],
    ['status', (value) => (EXECUTION_STATUSES as readonly unknown[]).includes(value), `one of ${EXECUTION_STATUSES.join(', ')}`, true],
    ['capability', (value) => typeof value === 'string', 'a string', true],
    ['executorId', (value) => typeof value === 'string', 'a string', true],
    ['startedAt', isTime, 'an ISO-8601 time', true],
    ['finishedAt', isTime, 'an ISO-8601 time', false],
    ['durationMs', (value) => typeof value === 'number' && value >= 0, 'a number of at least 0', false],
    ['nextAttemptAt', isTime, 'an ISO-8601 time', false],
    ['error', (value) => typeof value === 'object' && value !== null && typeof (value as ErrorSummary).type === 'string' && typeof (value as ErrorSummary).message === 'string', 'an object with type and message strings', false],
  ];
  for (const [field, valid, expected, required] of checks) {
    const value = fields[field];
    if (value === undefined && !required) continue;
    if (!valid(value)) return { field, value, expected };
  }
  return undefined;
}
