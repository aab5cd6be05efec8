/**
 * Committed offsets read with require_stable (OffsetFetch v7, KIP-447): while a transaction that
 * commits offsets for a partition is open, the coordinator answers UNSTABLE_OFFSET_COMMIT for it
 * instead of the offset committed before, which that transaction may be about to replace. The read
 * asks again until every partition is stable or the deadline passes. kafkajs' own fetch (v1-v4)
 * cannot ask for this.
 */
import { sleep } from '../../util/sleep';
import { KafkaPortError, OffsetsUnstableError } from '../errors';
import { brokerMaxVersion, sendOverBroker, type KafkajsCluster } from './kafkajs-internals';
import { OFFSET_FETCH_API_KEY, OFFSET_FETCH_VERSION, UNSTABLE_OFFSET_COMMIT, offsetFetchV7, type OffsetFetchResponse } from './kip447-requests';

const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): Error }; // eslint-disable-line @typescript-eslint/no-require-imports

/** Between two asks while an offset is unstable. */
const UNSTABLE_POLL_MS = 100;

/** The next offset to consume per partition of `topic` (-1 where nothing is committed), once no open transaction holds any of them. */
export async function fetchStableOffsets(cluster: KafkajsCluster, groupId: string, topic: string, partitions: number[], timeoutMs: number): Promise<Map<number, number>> {
  const deadline = Date.now() + timeoutMs;
  const stable = new Map<number, number>();
  for (let pending = [...partitions]; pending.length > 0; ) {
    const coordinator = await cluster.findGroupCoordinator({ groupId });
    if (brokerMaxVersion(coordinator, OFFSET_FETCH_API_KEY) < OFFSET_FETCH_VERSION) {
      throw new KafkaPortError(`broker ${String(coordinator.nodeId)} does not speak OffsetFetch v${OFFSET_FETCH_VERSION} (Kafka 2.5 or later): offsets cannot be read with require_stable`, false);
    }
    const response = await sendOverBroker<OffsetFetchResponse>(coordinator, offsetFetchV7(groupId, [{ topic, partitions: pending }]));
    const answered = response.topics.find((t) => t.topic === topic)?.partitions ?? [];
    const unstable: number[] = [];
    for (const { partition, offset, errorCode } of answered) {
      if (errorCode === UNSTABLE_OFFSET_COMMIT) unstable.push(partition);
      else if (errorCode !== 0) throw createErrorFromCode(errorCode);
      else stable.set(partition, Number(offset));
    }
    pending = pending.filter((partition) => !stable.has(partition));
    if (pending.length > 0 && unstable.length === 0) throw new KafkaPortError(`the group coordinator did not answer for ${topic} partitions ${pending.join(', ')}`, false);
    if (pending.length === 0) break;
    if (Date.now() + UNSTABLE_POLL_MS > deadline) {
      throw new OffsetsUnstableError(`committed offsets of ${topic} partitions ${pending.join(', ')} for group ${groupId} stayed unstable (an open transaction) for ${timeoutMs} ms`);
    }
    await sleep(UNSTABLE_POLL_MS);
  }
  return stable;
}
