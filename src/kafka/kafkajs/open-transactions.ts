/**
 * Transactions still open, by transactional.id (KIP-664's DescribeProducers and ListTransactions,
 * which kafkajs does not speak): those that wrote to a partition, and those of an id prefix open for
 * longer than some time. A node that takes a partition over uses them to find the transaction a dead
 * or frozen previous owner left open, so it can fence that transactional.id (which aborts the
 * transaction) instead of waiting for the coordinator's timeout.
 */
import { KafkaPortError } from '../errors';
import { brokerMaxVersion, sendOverBroker, type KafkajsCluster } from './kafkajs-internals';
import {
  DESCRIBE_PRODUCERS_API_KEY,
  LIST_TRANSACTIONS_API_KEY,
  describeProducersV0,
  listTransactions,
  type DescribeProducersResponse,
  type ListTransactionsResponse,
} from './kip447-requests';

const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): Error }; // eslint-disable-line @typescript-eslint/no-require-imports

/** The transactional.ids with a transaction open on `topic`-`partition`. */
export async function openTransactionsOn(cluster: KafkajsCluster, topic: string, partition: number): Promise<string[]> {
  await cluster.addTargetTopic(topic);
  await cluster.refreshMetadata();
  const [leaderId] = Object.keys(cluster.findLeaderForPartitions(topic, [partition]));
  if (leaderId === undefined) throw new KafkaPortError(`no leader known for ${topic}-${partition}`, true);
  const leader = await cluster.findBroker({ nodeId: leaderId });
  if (brokerMaxVersion(leader, DESCRIBE_PRODUCERS_API_KEY) < 0) throw new KafkaPortError(`broker ${leaderId} does not speak DescribeProducers (Kafka 3.0 or later)`, false);
  const described = await sendOverBroker<DescribeProducersResponse>(leader, describeProducersV0(topic, [partition]));
  const state = described.topics.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === partition);
  if (!state) throw new KafkaPortError(`broker ${leaderId} did not describe the producers of ${topic}-${partition}`, true);
  if (state.errorCode !== 0) throw createErrorFromCode(state.errorCode);
  const open = state.activeProducers.filter((producer) => BigInt(producer.currentTxnStartOffset) >= 0n).map((producer) => producer.producerId);
  if (open.length === 0) return [];
  // Each broker answers for the transactional.ids it coordinates.
  const ids = new Set<string>();
  for (const nodeId of cluster.getNodeIds()) {
    const broker = await cluster.findBroker({ nodeId });
    if (brokerMaxVersion(broker, LIST_TRANSACTIONS_API_KEY) < 0) throw new KafkaPortError(`broker ${String(nodeId)} does not speak ListTransactions (Kafka 3.0 or later)`, false);
    const listed = await sendOverBroker<ListTransactionsResponse>(broker, listTransactions(open));
    for (const { transactionalId } of listed.transactions) ids.add(transactionalId);
  }
  return [...ids];
}

/** A transaction its producer has not ended (PrepareCommit and PrepareAbort the coordinator completes by itself). */
const OPEN_STATES = new Set(['Ongoing']);

/**
 * The transactional.ids starting with `prefix` whose transaction has been open for longer than
 * `olderThanMs`, on every broker: also one that has committed offsets but no record yet.
 */
export async function transactionsOpenLongerThan(cluster: KafkajsCluster, prefix: string, olderThanMs: number): Promise<string[]> {
  await cluster.refreshMetadata();
  const ids = new Set<string>();
  for (const nodeId of cluster.getNodeIds()) {
    const broker = await cluster.findBroker({ nodeId });
    if (brokerMaxVersion(broker, LIST_TRANSACTIONS_API_KEY) < 1) throw new KafkaPortError(`broker ${String(nodeId)} does not speak ListTransactions v1 (Kafka 3.8 or later)`, false);
    const listed = await sendOverBroker<ListTransactionsResponse>(broker, listTransactions([], olderThanMs));
    for (const { transactionalId, state } of listed.transactions) if (transactionalId.startsWith(prefix) && OPEN_STATES.has(state)) ids.add(transactionalId);
  }
  return [...ids];
}
