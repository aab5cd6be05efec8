import { RecentKeys } from './recent-keys';

test('keeps the last keys added up to its capacity, forgetting the oldest first', () => {
  const keys = new RecentKeys(3);
  for (const key of ['a', 'b', 'c']) keys.add(key);
  expect(['a', 'b', 'c'].map((key) => keys.has(key))).toEqual([true, true, true]);
  keys.add('d');
  expect(['a', 'b', 'c', 'd'].map((key) => keys.has(key))).toEqual([false, true, true, true]);
  expect(keys.size).toBe(3);
});

test('a key added again takes no second place', () => {
  const keys = new RecentKeys(2);
  keys.add('a');
  keys.add('a');
  keys.add('b');
  expect([keys.has('a'), keys.has('b'), keys.size]).toEqual([true, true, 2]);
  expect(() => new RecentKeys(0)).toThrow('capacity must be a whole number of at least 1, got 0');
});
