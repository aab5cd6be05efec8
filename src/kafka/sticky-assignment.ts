/**
 * Sticky partition assignment (pure). Each member reports the partitions it owns; every partition
 * stays with its owner unless that owner has more than its fair share, and only partitions without
 * an owner (new, or whose owner left) or taken from over-loaded members move. So a node joining or
 * leaving moves only the partitions it must, and surviving owners keep their stores warm.
 */
import type { TopicPartition } from './port';

export interface MemberClaim {
  memberId: string;
  owned: TopicPartition[];
}

export function stickyAssignment(members: MemberClaim[], partitions: TopicPartition[]): Map<string, TopicPartition[]> {
  const ids = members.map((member) => member.memberId).sort();
  const assignment = new Map<string, TopicPartition[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return assignment;
  const exists = new Set(partitions.map(keyOf));
  const claimed = new Set<string>();
  const claims = new Map<string, TopicPartition[]>();
  // A partition claimed twice (a stale member) goes to the first claimant in id order.
  for (const id of ids) {
    const owned = members.find((member) => member.memberId === id)?.owned ?? [];
    const valid = sortPartitions(owned).filter((tp) => exists.has(keyOf(tp)) && !claimed.has(keyOf(tp)));
    valid.forEach((tp) => claimed.add(keyOf(tp)));
    claims.set(id, valid);
  }

  // Fair shares: floor(n/m) each, one more for the (n mod m) members that already own the most.
  const base = Math.floor(partitions.length / ids.length);
  const extra = partitions.length % ids.length;
  const byLoad = [...ids].sort((a, b) => (claims.get(b)?.length ?? 0) - (claims.get(a)?.length ?? 0) || a.localeCompare(b));
  const quota = new Map(byLoad.map((id, rank) => [id, base + (rank < extra ? 1 : 0)]));

  const pool: TopicPartition[] = sortPartitions(partitions).filter((tp) => !claimed.has(keyOf(tp)));
  for (const id of ids) {
    const kept = (claims.get(id) ?? []).slice(0, quota.get(id));
    pool.push(...(claims.get(id) ?? []).slice(kept.length));
    assignment.set(id, kept);
  }
  for (const id of ids) {
    const mine = assignment.get(id) ?? [];
    while (mine.length < (quota.get(id) ?? 0) && pool.length > 0) mine.push(pool.shift() as TopicPartition);
  }
  return assignment;
}

function keyOf(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}

function sortPartitions(partitions: TopicPartition[]): TopicPartition[] {
  return [...partitions].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/**
 * The sticky assignment of partition numbers rather than topic-partitions: partition p of every
 * topic goes to one member (a definitions partition with its status partition), balanced by
 * partition number. A member's claim on a number is any partition of that number it owns.
 */
export function coPartitionedAssignment(members: MemberClaim[], partitions: TopicPartition[]): Map<string, TopicPartition[]> {
  const unit = (partition: number): TopicPartition => ({ topic: '', partition });
  const numbers = [...new Set(partitions.map((tp) => tp.partition))].map(unit);
  const claims = members.map(({ memberId, owned }) => ({ memberId, owned: [...new Set(owned.map((tp) => tp.partition))].map(unit) }));
  const byNumber = new Map<number, TopicPartition[]>();
  for (const tp of partitions) byNumber.set(tp.partition, [...(byNumber.get(tp.partition) ?? []), tp]);
  return new Map([...stickyAssignment(claims, numbers)].map(([memberId, units]) => [memberId, sortPartitions(units.flatMap((u) => byNumber.get(u.partition) ?? []))]));
}
