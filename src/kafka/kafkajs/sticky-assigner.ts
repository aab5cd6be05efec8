/**
 * The kafkajs glue for the sticky assignment (../sticky-assignment.ts): each member advertises the
 * partitions it owns in its group metadata; the leader assigns from those claims. kafkajs' own
 * round-robin assigner would move partitions away from their stores at every rebalance.
 */
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import type { TopicPartition } from '../port';
import { coPartitionedAssignment, stickyAssignment } from '../sticky-assignment';

const NAME = 'PunctualSticky';

/** What a member owns and the member id it had when the coordinator assigned it. */
export interface Ownership {
  memberId: string | undefined;
  partitions: TopicPartition[];
}

interface MemberUserData {
  memberId?: string;
  owned: TopicPartition[];
  address?: string;
}

/** With `coPartitioned`, partition p of every topic goes to one member (see coPartitionedAssignment). */
export function stickyAssigner(currentOwnership: () => Ownership, advertisedAddress?: string, coPartitioned = false): PartitionAssigner {
  const assignment = coPartitioned ? coPartitionedAssignment : stickyAssignment;
  return ({ cluster }) => ({
    name: NAME,
    version: 1,
    async assign({ members, topics }) {
      const partitions = topics.flatMap((topic) => cluster.findTopicPartitionMetadata(topic).map((metadata) => ({ topic, partition: metadata.partitionId })));
      const claims = members.map((member) => ({ memberId: member.memberId, owned: ownedFrom(member.memberId, member.memberMetadata) }));
      return [...assignment(claims, partitions)].map(([memberId, owned]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: byTopic(owned), userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      const { memberId, partitions } = currentOwnership();
      const userData: MemberUserData = { memberId, owned: partitions, ...(advertisedAddress ? { address: advertisedAddress } : {}) };
      return { name: NAME, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.from(JSON.stringify(userData)) }) };
    },
  });
}

/**
 * A member's claim counts only if it still has the member id it owned the partitions under: a member
 * that was evicted (frozen past its session timeout) rejoins with a new id, and the partitions it
 * lost meanwhile belong to whoever took them over. A member whose metadata cannot be read claims nothing.
 */
function ownedFrom(memberId: string, metadata: Buffer): TopicPartition[] {
  try {
    const decoded = AssignerProtocol.MemberMetadata.decode(metadata);
    if (!decoded) return [];
    const userData = JSON.parse(decoded.userData.toString('utf8')) as Partial<MemberUserData>;
    if (userData.memberId !== memberId) return [];
    return Array.isArray(userData.owned) ? userData.owned.filter((tp) => typeof tp?.topic === 'string' && Number.isInteger(tp?.partition)) : [];
  } catch {
    return [];
  }
}

function byTopic(partitions: TopicPartition[]): Record<string, number[]> {
  const assignment: Record<string, number[]> = {};
  for (const { topic, partition } of partitions) (assignment[topic] ??= []).push(partition);
  return assignment;
}

/** The address a member advertised in its metadata, if any. */
export function advertisedAddressOf(metadata: Buffer): string | undefined {
  try {
    const decoded = AssignerProtocol.MemberMetadata.decode(metadata);
    const userData = decoded ? (JSON.parse(decoded.userData.toString('utf8')) as Partial<MemberUserData>) : {};
    return typeof userData.address === 'string' ? userData.address : undefined;
  } catch {
    return undefined;
  }
}
