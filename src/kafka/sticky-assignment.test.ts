import type { TopicPartition } from './port';
import { coPartitionedAssignment, stickyAssignment, type MemberClaim } from './sticky-assignment';

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

describe('coPartitionedAssignment', () => {
  const twoTopics = (n: number): TopicPartition[] => [...partitions(n), ...partitions(n).map((tp) => ({ ...tp, topic: 'status' }))];
  const byNumber = (owned: TopicPartition[] | undefined): Map<number, string[]> => {
    const topics = new Map<number, string[]>();
    for (const tp of owned ?? []) topics.set(tp.partition, [...(topics.get(tp.partition) ?? []), tp.topic].sort());
    return topics;
  };

  test('gives partition p of every topic to one member, balanced by partition number', () => {
    const assignment = coPartitionedAssignment([{ memberId: 'a', owned: [] }, { memberId: 'b', owned: [] }, { memberId: 'c', owned: [] }], twoTopics(12));
    const owners = new Map<string, string>();
    for (const [memberId, owned] of assignment) {
      expect(byNumber(owned).size).toBe(4);
      for (const [partition, topics] of byNumber(owned)) {
        expect(topics).toEqual(['status', 't']);
        expect(owners.has(`${partition}`)).toBe(false);
        owners.set(`${partition}`, memberId);
      }
    }
    expect(owners.size).toBe(12);
  });

  test('stays sticky: a member claiming only the definitions partitions of its numbers keeps them, with their status partitions', () => {
    const first = coPartitionedAssignment([{ memberId: 'a', owned: [] }, { memberId: 'b', owned: [] }], twoTopics(6));
    // A member of an older version claims only the "t" partitions it owns.
    const claims = [...first].map(([memberId, owned]) => ({ memberId, owned: owned.filter((tp) => tp.topic === 't') }));
    const after = coPartitionedAssignment([...claims, { memberId: 'c', owned: [] }], twoTopics(6));
    for (const id of ['a', 'b']) {
      const kept = [...byNumber(after.get(id)).keys()];
      expect(kept).toHaveLength(2);
      for (const partition of kept) expect(byNumber(first.get(id)).has(partition)).toBe(true);
    }
    expect(byNumber(after.get('c')).size).toBe(2);
  });
});
