import { MAX_ATTEMPT_ERRORS, MAX_ERROR_MESSAGE_CHARS, parseAttemptErrors, withAttemptError, type AttemptError } from './attempt-errors';

const entry = (attempt: number, message = `attempt ${attempt} fails`): AttemptError => ({ attempt, type: 'Error', message, finishedAt: '2026-12-02T10:00:00.000Z' });

test('a list round-trips through its header and grows by one per failed attempt', () => {
  const two = withAttemptError(withAttemptError([], entry(1)), entry(2));
  expect(parseAttemptErrors(JSON.stringify(two))).toEqual([entry(1), entry(2)]);
});

test('a header that is absent, not JSON or not a list of attempt errors counts as no errors; bad entries are dropped', () => {
  expect(parseAttemptErrors(undefined)).toEqual([]);
  expect(parseAttemptErrors('{not json')).toEqual([]);
  expect(parseAttemptErrors('{"attempt":1}')).toEqual([]);
  expect(parseAttemptErrors(JSON.stringify([entry(1), { attempt: 'two' }]))).toEqual([entry(1)]);
});

test('only the latest attempts are kept, and each message is cut to its limit', () => {
  let list: AttemptError[] = [];
  for (let attempt = 1; attempt <= MAX_ATTEMPT_ERRORS + 5; attempt++) list = withAttemptError(list, entry(attempt));
  expect(list).toHaveLength(MAX_ATTEMPT_ERRORS);
  expect(list[0]?.attempt).toBe(6);
  const long = withAttemptError([], entry(1, 'x'.repeat(MAX_ERROR_MESSAGE_CHARS * 2)));
  expect(long[0]?.message).toHaveLength(MAX_ERROR_MESSAGE_CHARS);
  expect(long[0]?.message.endsWith('...')).toBe(true);
});
