/**
 * Which broker coordinates a consumer group or a transactional.id, as Kafka decides it: the leader of
 * partition abs(javaHashCode(key)) % partitions of __consumer_offsets or __transaction_state (Kafka's
 * GroupCoordinator / TransactionStateManager partitionFor). Fault tests kill exactly that broker.
 */
import { Kafka, logLevel } from 'kafkajs';
import { coordinatorPartition } from '../../src/dev/coordinator-partition';

export type CoordinatorKind = 'group' | 'transaction';

const STATE_TOPIC: Record<CoordinatorKind, string> = { group: '__consumer_offsets', transaction: '__transaction_state' };

/** The broker node id coordinating each key, read from the current leaders of the state topic. */
export async function coordinatorsOf(brokers: string[], kind: CoordinatorKind, keys: string[]): Promise<Map<string, number>> {
  const leaders = await leadersOf(brokers, STATE_TOPIC[kind]);
  return new Map(keys.map((key) => [key, leaders[coordinatorPartition(key, leaders.length)] ?? -1]));
}

/** The leader of each partition of a topic (internal ones too, which the port does not describe), by partition number. */
export async function leadersOf(brokers: string[], topic: string): Promise<number[]> {
  const admin = new Kafka({ clientId: 'punctual-test-leaders', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    return [...(metadata.topics[0]?.partitions ?? [])].sort((a, b) => a.partitionId - b.partitionId).map((partition) => partition.leader);
  } finally {
    await admin.disconnect();
  }
}
