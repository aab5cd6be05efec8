/**
 * What happened to one occurrence of a schedule, as its node keeps it in the history: every
 * attempt's start and end merged from the status records (execution-status.ts), and the status the
 * occurrence is in. Merging is order-tolerant: an attempt's end is never replaced by its start, nor
 * by a second end (an at-least-once executor may report an attempt it ran twice), so the first
 * end recorded is the one kept.
 */
import type { ErrorSummary, ExecutionStatus, StatusValue } from './execution-status';

/** `failed`: the attempt ended in a failure, retried (the occurrence is `retrying`) or not (`dead-lettered`). */
export type AttemptResult = 'started' | 'succeeded' | 'failed';

export interface AttemptOutcome {
  attempt: number;
  result: AttemptResult;
  executorId: string;
  capability: string;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  error?: ErrorSummary;
  nextAttemptAt?: string;
}

export interface OccurrenceOutcome {
  id: string;
  fireId: string;
  occurrence: number;
  scheduledAt: string;
  /** The status of the latest attempt: started, succeeded, retrying or dead-lettered. */
  status: ExecutionStatus;
  /** The handler's result, once an attempt succeeded. */
  result?: unknown;
  attempts: AttemptOutcome[];
}

/** Attempts kept per occurrence; the first ones go beyond it (a policy rarely allows this many). */
export const MAX_ATTEMPTS_KEPT = 50;

/** `previous` with `status` merged in. */
export function mergeStatus(previous: OccurrenceOutcome | undefined, status: StatusValue): OccurrenceOutcome {
  const attempts = [...(previous?.attempts ?? [])];
  const at = attempts.findIndex((attempt) => attempt.attempt === status.attempt);
  const known = at >= 0 ? attempts[at] : undefined;
  let result = previous?.result;
  if (known === undefined || (known.result === 'started' && status.status !== 'started')) {
    const attempt = attemptOf(status);
    if (known === undefined) attempts.push(attempt);
    else attempts[at] = attempt;
    if (status.status === 'succeeded') result = status.result ?? null;
  }
  attempts.sort((a, b) => a.attempt - b.attempt);
  const kept = attempts.slice(-MAX_ATTEMPTS_KEPT);
  const latest = kept[kept.length - 1] as AttemptOutcome;
  const outcome: OccurrenceOutcome = {
    id: status.id,
    fireId: status.fireId,
    occurrence: status.occurrence,
    scheduledAt: status.scheduledAt,
    status: statusOf(latest, kept),
    attempts: kept,
  };
  return result === undefined ? outcome : { ...outcome, result };
}

function attemptOf(status: StatusValue): AttemptOutcome {
  const result: AttemptResult = status.status === 'started' ? 'started' : status.status === 'succeeded' ? 'succeeded' : 'failed';
  const attempt: AttemptOutcome = { attempt: status.attempt, result, executorId: status.executorId, capability: status.capability, startedAt: status.startedAt };
  if (status.finishedAt !== undefined) attempt.finishedAt = status.finishedAt;
  if (status.durationMs !== undefined) attempt.durationMs = status.durationMs;
  if (status.error !== undefined) attempt.error = status.error;
  if (status.nextAttemptAt !== undefined) attempt.nextAttemptAt = status.nextAttemptAt;
  return attempt;
}

/**
 * The occurrence's status from its latest attempt. A success anywhere wins: an attempt that began
 * after it (a late retry of an executor that timed out) changes nothing the handler already did.
 */
function statusOf(latest: AttemptOutcome, attempts: AttemptOutcome[]): ExecutionStatus {
  if (attempts.some((attempt) => attempt.result === 'succeeded')) return 'succeeded';
  if (latest.result === 'started') return 'started';
  return latest.nextAttemptAt !== undefined ? 'retrying' : 'dead-lettered';
}
