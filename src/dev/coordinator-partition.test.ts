import { coordinatorPartition, javaHashCode } from './coordinator-partition';

// Expected values printed by the JDK's String#hashCode.
test('javaHashCode matches java.lang.String#hashCode, int32 overflow included', () => {
  expect(javaHashCode('abc')).toBe(96354);
  expect(javaHashCode('')).toBe(0);
  expect(javaHashCode('punctual-punctual.definitions-7')).toBe(-402458391);
  expect(javaHashCode('polygenelubricants')).toBe(-2147483648);
});

test("coordinatorPartition is Kafka's Utils.abs(hash) % partitions", () => {
  expect(coordinatorPartition('abc', 10)).toBe(4);
  expect(coordinatorPartition('punctual-punctual.definitions-7', 50)).toBe(402458391 % 50);
  expect(coordinatorPartition('polygenelubricants', 10)).toBe(0);
});
