import { parseSoakOptions } from './soak';

test('soak options: defaults, and each flag read', () => {
  expect(parseSoakOptions([])).toEqual({ minutes: 5, rate: 1_000, killEverySeconds: 30, nodes: 3 });
  expect(parseSoakOptions(['--minutes', '30', '--rate', '10000', '--kill-every', '30', '--nodes', '4'])).toEqual({ minutes: 30, rate: 10_000, killEverySeconds: 30, nodes: 4 });
});

test('soak options: an unknown flag, a missing value or a bad number is refused with the usage', () => {
  expect(() => parseSoakOptions(['--minute', '3'])).toThrow(/--minute 3: not understood; usage: npm run soak/);
  expect(() => parseSoakOptions(['--rate'])).toThrow(/not understood/);
  expect(() => parseSoakOptions(['--rate', '-5'])).toThrow(/not understood/);
  expect(() => parseSoakOptions(['--rate', '1.5'])).toThrow(/whole number/);
  expect(() => parseSoakOptions(['--nodes', '1'])).toThrow(/at least 2/);
});
