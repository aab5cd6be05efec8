import type { TopicPartition } from './port';
import { stickyAssignment, type MemberClaim } from './sticky-assignment';

const partitions = (n: number): TopicPartition[] => Array.from({ length: n }, (_, partition) => ({ topic: 't', partition }));
const numbers = (tps: TopicPartition[] | undefined): number[] => (tps ?? []).map((tp) => tp.partition).sort((a, b) => a - b);

function claimsFrom(assignment: Map<string, TopicPartition[]>): MemberClaim[] {
  return [...assignment].map(([memberId, owned]) => ({ memberId, owned }));
}

function moved(before: Map<string, TopicPartition[]>, after: Map<string, TopicPartition[]>): number {
  let count = 0;
  for (const [id, owned] of after) {
    const had = new Set(numbers(before.get(id)));
    count += owned.filter((tp) => !had.has(tp.partition)).length;
  }
  return count;
}

test('a first assignment spreads partitions evenly', () => {
  const assignment = stickyAssignment([{ memberId: 'a', owned: [] }, { memberId: 'b', owned: [] }, { memberId: 'c', owned: [] }], partitions(12));
  expect([...assignment.values()].map((owned) => owned.length)).toEqual([4, 4, 4]);
  expect(numbers([...assignment.values()].flat())).toEqual(numbers(partitions(12)));
});

test('a member leaving moves only its own partitions', () => {
  const before = stickyAssignment([{ memberId: 'a', owned: [] }, { memberId: 'b', owned: [] }, { memberId: 'c', owned: [] }], partitions(12));
  const survivors = claimsFrom(before).filter((claim) => claim.memberId !== 'c');
  const after = stickyAssignment(survivors, partitions(12));
  expect(moved(before, after)).toBe(4);
  for (const id of ['a', 'b']) expect(numbers(after.get(id))).toEqual(expect.arrayContaining(numbers(before.get(id))));
  expect([...after.values()].map((owned) => owned.length)).toEqual([6, 6]);
});

test('a member joining takes only its fair share, from the others', () => {
  const before = stickyAssignment([{ memberId: 'a', owned: [] }, { memberId: 'b', owned: [] }], partitions(12));
  const after = stickyAssignment([...claimsFrom(before), { memberId: 'c', owned: [] }], partitions(12));
  expect(numbers(after.get('c'))).toHaveLength(4);
  expect(moved(before, after)).toBe(4);
  expect(numbers([...after.values()].flat())).toEqual(numbers(partitions(12)));
});

test('a rebalance with the same members changes nothing', () => {
  const before = stickyAssignment([{ memberId: 'a', owned: [] }, { memberId: 'b', owned: [] }, { memberId: 'c', owned: [] }], partitions(10));
  const after = stickyAssignment(claimsFrom(before), partitions(10));
  expect(moved(before, after)).toBe(0);
});

test('a partition claimed by two members goes to one of them, and unknown partitions are dropped', () => {
  const after = stickyAssignment(
    [
      { memberId: 'a', owned: [{ topic: 't', partition: 0 }, { topic: 't', partition: 99 }] },
      { memberId: 'b', owned: [{ topic: 't', partition: 0 }] },
    ],
    partitions(2),
  );
  expect(numbers([...after.values()].flat())).toEqual([0, 1]);
  expect(numbers(after.get('a'))).toEqual([0]);
});
