import { coordinatorPartition } from './coordinator-partition';
import { groupsCoveringOffsetsPartitions } from './local-kafka';

test('one group per __consumer_offsets partition, every partition covered', () => {
  const groups = groupsCoveringOffsetsPartitions(10);
  expect(groups).toHaveLength(10);
  expect(new Set(groups.map((group) => coordinatorPartition(group, 10)))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
});
