import { groupsCoveringOffsetsPartitions, javaStringHash } from './local-kafka';

test("Java's String.hashCode, overflow included", () => {
  expect(javaStringHash('')).toBe(0);
  expect(javaStringHash('a')).toBe(97);
  expect(javaStringHash('hello')).toBe(99162322);
  // A string whose Java hash overflows to Integer.MIN_VALUE.
  expect(javaStringHash('polygenelubricants')).toBe(-2147483648);
});

test('one group per __consumer_offsets partition, every partition covered', () => {
  const groups = groupsCoveringOffsetsPartitions(10);
  const partitions = groups.map((group) => {
    const hash = javaStringHash(group);
    return (hash === -2147483648 ? 0 : Math.abs(hash)) % 10;
  });
  expect(new Set(partitions)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  expect(groups).toHaveLength(10);
});
