import { MAX_TIMEOUT_MS, systemClock } from './clock';

afterEach(() => {
  jest.useRealTimers();
});

test('a timer further out than setTimeout allows fires at its time, not after 1 ms', () => {
  jest.useFakeTimers({ now: 0 });
  const fired = jest.fn();
  systemClock.setTimer(MAX_TIMEOUT_MS * 2 + 5, fired);
  jest.advanceTimersByTime(1);
  expect(fired).not.toHaveBeenCalled();
  jest.advanceTimersByTime(MAX_TIMEOUT_MS * 2);
  expect(fired).not.toHaveBeenCalled();
  jest.advanceTimersByTime(4);
  expect(fired).toHaveBeenCalledTimes(1);
});

test('a far timer can be cancelled while it waits in steps', () => {
  jest.useFakeTimers({ now: 0 });
  const fired = jest.fn();
  const cancel = systemClock.setTimer(MAX_TIMEOUT_MS + 10, fired);
  jest.advanceTimersByTime(MAX_TIMEOUT_MS + 1);
  cancel();
  jest.advanceTimersByTime(100);
  expect(fired).not.toHaveBeenCalled();
});
