import { parseBenchOptions } from './bench-options';

test('quick mode runs once and measures 1M pending; full mode runs three times and adds 10M', () => {
  const quick = parseBenchOptions(['--quick']);
  expect(quick).toMatchObject({ mode: 'quick', runs: 1, pending: 1_000_000, largePending: undefined });
  const full = parseBenchOptions([]);
  expect(full).toMatchObject({ mode: 'full', runs: 3, pending: 1_000_000, largePending: 10_000_000 });
  expect(full.latenessRates).toEqual([1_000, 10_000]);
});

test('--runs and --only are read, and anything else is refused by name', () => {
  const options = parseBenchOptions(['--quick', '--runs', '2', '--only', 'raw,bullmq']);
  expect(options.runs).toBe(2);
  expect([...options.only]).toEqual(['raw', 'bullmq']);
  expect(() => parseBenchOptions(['--only', 'raw,fast'])).toThrow(/unknown scenario fast/);
  expect(() => parseBenchOptions(['--runs', '0'])).toThrow(/--runs 0: not understood/);
  expect(() => parseBenchOptions(['--fast'])).toThrow(/--fast/);
});

test('--time-rules puts windows and a calendar on every Punctual schedule; off by default', () => {
  expect(parseBenchOptions(['--quick']).timeRules).toBe(false);
  const options = parseBenchOptions(['--quick', '--time-rules', '--only', 'punctual']);
  expect(options).toMatchObject({ mode: 'quick', timeRules: true });
  expect([...options.only]).toEqual(['punctual']);
});
