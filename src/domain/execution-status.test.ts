import { parseStatusValue } from './execution-status';

const valid = {
  fireId: 'h/a@1000',
  id: 'h/a',
  occurrence: 1,
  scheduledAt: '2026-01-01T00:00:00.000Z',
  attempt: 1,
  status: 'succeeded',
  capability: 'jobs',
  executorId: 'e1',
  startedAt: '2026-01-01T00:00:01.000Z',
  finishedAt: '2026-01-01T00:00:02.000Z',
  durationMs: 1000,
};
const parse = (value: unknown): ReturnType<typeof parseStatusValue> => parseStatusValue(Buffer.from(JSON.stringify(value)));

describe('parseStatusValue', () => {
  it('takes a whole status value, and a start without an end', () => {
    expect(parse(valid)).toEqual({ status: valid });
    const { finishedAt: _finished, durationMs: _duration, ...start } = { ...valid, status: 'started' };
    expect(parse(start)).toEqual({ status: start });
  });

  it('refuses what is not a JSON object, naming why', () => {
    expect(parseStatusValue(null)).toEqual({ refused: 'a status record has no value' });
    expect(parseStatusValue(Buffer.from('{nope'))).toEqual({ refused: 'a status record value is not JSON' });
    expect(parse([1])).toEqual({ refused: 'a status record value is not a JSON object' });
  });

  it.each([
    ['id', 'no-slash', 'status record field id is "no-slash": a schedule id <host>/<name>'],
    ['attempt', 0, 'status record field attempt is 0: a whole number of at least 1'],
    ['status', 'failed', 'status record field status is "failed": one of started, succeeded, retrying, dead-lettered'],
    ['scheduledAt', 'yesterday', 'status record field scheduledAt is "yesterday": an ISO-8601 time'],
    ['error', { type: 'Error' }, 'status record field error is {"type":"Error"}: an object with type and message strings'],
  ])('refuses a wrong %s, naming the field and the value', (field, value, reason) => {
    expect(parse({ ...valid, [field]: value })).toEqual({ refused: reason });
  });

  it('refuses a missing required field', () => {
    const { fireId: _fireId, ...rest } = valid;
    expect(parse(rest)).toEqual({ refused: 'status record field fireId is undefined: a non-empty string' });
  });
});
