import type { StatusValue } from './execution-status';
import { MAX_ATTEMPTS_KEPT, mergeStatus, type OccurrenceOutcome } from './occurrence-outcome';

const base = { fireId: 'h/a@1000', id: 'h/a', occurrence: 1, scheduledAt: new Date(1000).toISOString(), capability: 'jobs', executorId: 'e1' };
const started = (attempt: number, executorId = 'e1'): StatusValue => ({ ...base, executorId, attempt, status: 'started', startedAt: new Date(2000 + attempt).toISOString() });
const ended = (attempt: number, status: 'succeeded' | 'retrying' | 'dead-lettered', extra: Partial<StatusValue> = {}): StatusValue => ({
  ...base,
  attempt,
  status,
  startedAt: new Date(2000 + attempt).toISOString(),
  finishedAt: new Date(3000 + attempt).toISOString(),
  durationMs: 1000,
  ...(status === 'retrying' ? { error: { type: 'Error', message: `boom ${attempt}` }, nextAttemptAt: new Date(5000).toISOString() } : {}),
  ...(status === 'dead-lettered' ? { error: { type: 'Error', message: `boom ${attempt}` } } : {}),
  ...extra,
});
const mergeAll = (statuses: StatusValue[]): OccurrenceOutcome => statuses.reduce<OccurrenceOutcome | undefined>(mergeStatus, undefined) as OccurrenceOutcome;

describe('mergeStatus', () => {
  it('follows an occurrence from start to success, keeping the result', () => {
    const afterStart = mergeAll([started(1)]);
    expect(afterStart.status).toBe('started');
    const done = mergeStatus(afterStart, ended(1, 'succeeded', { result: { rows: 3 } }));
    expect(done).toMatchObject({ id: 'h/a', fireId: 'h/a@1000', occurrence: 1, status: 'succeeded', result: { rows: 3 } });
    expect(done.attempts).toEqual([expect.objectContaining({ attempt: 1, result: 'succeeded', durationMs: 1000 })]);
  });

  it('is retrying after a failed attempt with a next one, and dead-lettered after the last', () => {
    const retrying = mergeAll([started(1), ended(1, 'retrying')]);
    expect(retrying.status).toBe('retrying');
    expect(retrying.attempts[0]).toMatchObject({ result: 'failed', error: { message: 'boom 1' }, nextAttemptAt: new Date(5000).toISOString() });
    const dead = mergeAll([started(1), ended(1, 'retrying'), started(2), ended(2, 'retrying'), started(3), ended(3, 'dead-lettered')]);
    expect(dead.status).toBe('dead-lettered');
    expect(dead.attempts.map((attempt) => [attempt.attempt, attempt.result, attempt.error?.message])).toEqual([
      [1, 'failed', 'boom 1'],
      [2, 'failed', 'boom 2'],
      [3, 'failed', 'boom 3'],
    ]);
  });

  it('never lets a start replace an end, nor a second end the first one', () => {
    const outcome = mergeAll([ended(1, 'succeeded', { result: 'first' }), started(1, 'e2'), ended(1, 'succeeded', { result: 'second', executorId: 'e2' })]);
    expect(outcome.status).toBe('succeeded');
    expect(outcome.result).toBe('first');
    expect(outcome.attempts).toEqual([expect.objectContaining({ attempt: 1, executorId: 'e1', result: 'succeeded' })]);
  });

  it('a start of the same attempt on another executor (a redelivery after a crash) is taken until an end comes', () => {
    const outcome = mergeAll([started(1, 'e1'), started(1, 'e2')]);
    expect(outcome.attempts).toEqual([expect.objectContaining({ attempt: 1, executorId: 'e1', result: 'started' })]);
    expect(mergeStatus(outcome, ended(1, 'succeeded', { executorId: 'e2' })).attempts[0]).toMatchObject({ executorId: 'e2', result: 'succeeded' });
  });

  it('orders attempts by number whatever order the records came in, and a success stays the status', () => {
    const outcome = mergeAll([ended(2, 'succeeded'), ended(1, 'retrying'), started(3)]);
    expect(outcome.attempts.map((attempt) => attempt.attempt)).toEqual([1, 2, 3]);
    expect(outcome.status).toBe('succeeded');
  });

  it(`keeps the last ${MAX_ATTEMPTS_KEPT} attempts`, () => {
    const statuses = Array.from({ length: MAX_ATTEMPTS_KEPT + 5 }, (_, i) => ended(i + 1, 'retrying'));
    const outcome = mergeAll(statuses);
    expect(outcome.attempts).toHaveLength(MAX_ATTEMPTS_KEPT);
    expect(outcome.attempts[0]?.attempt).toBe(6);
  });
});
