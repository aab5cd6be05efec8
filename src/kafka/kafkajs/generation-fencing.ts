/**
 * Offsets committed in a transaction, fenced by the consumer group's generation (KIP-447).
 *
 * kafkajs commits a transaction's offsets with TxnOffsetCommit v0-v1, which carry no generation, so
 * the group coordinator accepts them from any producer: a node that lost its partitions (frozen past
 * its session timeout, say) could still commit. With v3 the request names the member id and
 * generation the offsets are committed under, and the coordinator refuses them with
 * ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID once the group has moved on; the transaction must then abort.
 *
 * kafkajs' sendOffsets passes only what v0-v1 need, so the generation travels beside it: a
 * transaction sets the generation of its transactional.id for the duration of its sendOffsets
 * (one transaction at a time per transactional.id), and the wrapped Broker#txnOffsetCommit sends v3
 * with it. Without a generation set, kafkajs' own request goes out unchanged.
 */
import { KafkaPortError } from '../errors';
import { brokerMaxVersion, sendOverBroker, wrapKafkajsMethod, type KafkajsBroker } from './kafkajs-internals';
import { TXN_OFFSET_COMMIT_API_KEY, TXN_OFFSET_COMMIT_VERSION, txnOffsetCommitV3, type GroupGeneration, type TopicOffsets } from './kip447-requests';

/** What kafkajs' eosManager passes to Broker#txnOffsetCommit. */
interface KafkajsTxnOffsetCommit {
  transactionalId: string;
  groupId: string;
  producerId: string | number;
  producerEpoch: number;
  topics: TopicOffsets[];
}

type TxnOffsetCommit = (this: KafkajsBroker, request: KafkajsTxnOffsetCommit) => Promise<unknown>;

type JoinGroup = (this: KafkajsBroker, request: unknown) => Promise<{ generationId?: unknown; memberId?: unknown }>;

const generations = new Map<string, GroupGeneration>();
/** The generation of each member id's last JoinGroup answer in this process (kafkajs does not report it). */
const joined = new Map<string, number>();

/** The generation the group coordinator gave `memberId` at its last join, if it joined in this process. */
export function joinedGeneration(memberId: string): GroupGeneration | undefined {
  const generationId = joined.get(memberId);
  return generationId === undefined ? undefined : { generationId, memberId };
}

/** Forgets a member id that left the group or crashed. */
export function forgetMember(memberId: string): void {
  joined.delete(memberId);
}

/** Runs `commitOffsets` with `generation` attached to the TxnOffsetCommit of `transactionalId`. */
export async function withGeneration<T>(transactionalId: string, generation: GroupGeneration, commitOffsets: () => Promise<T>): Promise<T> {
  generations.set(transactionalId, generation);
  try {
    return await commitOffsets();
  } finally {
    generations.delete(transactionalId);
  }
}

/**
 * Wraps kafkajs' TxnOffsetCommit and JoinGroup (to learn the generation) once per process; returns
 * false when kafkajs' internals are not as expected.
 */
export function installGenerationFencing(): boolean {
  const joins = wrapKafkajsMethod<JoinGroup>('generation-fencing', 'kafkajs/src/broker', 'joinGroup', (joinGroup) =>
    async function (this: KafkajsBroker, request) {
      const answer = await joinGroup.call(this, request);
      if (typeof answer.memberId === 'string' && typeof answer.generationId === 'number') joined.set(answer.memberId, answer.generationId);
      return answer;
    },
  );
  return joins && wrapKafkajsMethod<TxnOffsetCommit>('generation-fencing', 'kafkajs/src/broker', 'txnOffsetCommit', (txnOffsetCommit) =>
    async function (this: KafkajsBroker, request) {
      const generation = generations.get(request.transactionalId);
      if (!generation) return txnOffsetCommit.call(this, request);
      if (brokerMaxVersion(this, TXN_OFFSET_COMMIT_API_KEY) < TXN_OFFSET_COMMIT_VERSION) {
        throw new KafkaPortError(`broker ${String(this.nodeId)} does not speak TxnOffsetCommit v${TXN_OFFSET_COMMIT_VERSION} (Kafka 2.5 or later): offsets cannot be fenced by the group generation`, false);
      }
      return sendOverBroker(this, txnOffsetCommitV3({ ...request, ...generation }));
    },
  );
}
