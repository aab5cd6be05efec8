/**
 * Waiting for new topics to be usable. kafkajs's own `waitForLeaders` retries only
 * LEADER_NOT_AVAILABLE, but a KRaft broker answers UNKNOWN_TOPIC_OR_PARTITION for a moment after
 * creating a topic (its metadata cache lags the controller), which kafkajs then throws, and a leader
 * it names answers NOT_LEADER_FOR_PARTITION until it has taken the partition over.
 */
import { brokerErrorTypes } from './error-mapping';
import { sleep } from '../../util/sleep';

const STILL_PROPAGATING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION']);

/** The leader of every partition of the topics asked for (-1 where there is none yet). */
export type LeaderProbe = () => Promise<number[]>;

export async function waitForTopicLeaders(
  topics: string[],
  probe: LeaderProbe,
  { timeoutMs = 30_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastReason = 'no answer yet';
  for (;;) {
    try {
      const leaders = await probe();
      if (leaders.length > 0 && leaders.every((leader) => leader >= 0)) return;
      lastReason = `partitions without a leader: ${leaders.filter((leader) => leader < 0).length} of ${leaders.length}`;
    } catch (error) {
      if (!brokerErrorTypes(error).some((type) => STILL_PROPAGATING.has(type))) throw error;
      lastReason = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) throw new Error(`topics ${topics.join(', ')} have no leaders after ${timeoutMs} ms (${lastReason})`);
    await sleep(intervalMs);
  }
}
