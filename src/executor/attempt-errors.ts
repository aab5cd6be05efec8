/**
 * The errors of a fire's failed attempts, carried from attempt to attempt in the event's
 * `punctual-attempt-errors` header (each retry one-shot writes the list so far), so the dead letter
 * of the last attempt holds every attempt's error without the executor keeping any state.
 */
import type { ErrorSummary } from '../domain/execution-status';

export const ATTEMPT_ERRORS_HEADER = 'punctual-attempt-errors';

export interface AttemptError extends ErrorSummary {
  attempt: number;
  /** When the attempt ended, ISO-8601. */
  finishedAt: string;
}

/** The most attempts listed (the latest), and the longest message kept of each: a header is no log. */
export const MAX_ATTEMPT_ERRORS = 50;
export const MAX_ERROR_MESSAGE_CHARS = 1_000;

/** The list a header carries; one that does not parse (not written by an executor) counts as none. */
export function parseAttemptErrors(header: string | undefined): AttemptError[] {
  if (header === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(header);
    return Array.isArray(parsed) ? parsed.filter(isAttemptError) : [];
  } catch {
    return [];
  }
}

export function withAttemptError(previous: AttemptError[], error: AttemptError): AttemptError[] {
  const message = error.message.length > MAX_ERROR_MESSAGE_CHARS ? `${error.message.slice(0, MAX_ERROR_MESSAGE_CHARS - 3)}...` : error.message;
  return [...previous, { ...error, message }].slice(-MAX_ATTEMPT_ERRORS);
}

function isAttemptError(value: unknown): value is AttemptError {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return Number.isInteger(entry.attempt) && typeof entry.type === 'string' && typeof entry.message === 'string' && typeof entry.finishedAt === 'string';
}
