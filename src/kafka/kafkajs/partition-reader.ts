/**
 * Reads one partition from a given offset with kafkajs, which has no manual partition assignment:
 * a consumer in a throwaway group whose assigner hands it exactly that partition, then a seek.
 * Nothing is committed; the group is empty again when the read ends.
 */
import { AssignerProtocol, type Assigner, type Kafka } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import type { IncomingRecord, PartitionReadOptions } from '../port';
import { toIncoming } from './records';
import { unavailable } from './error-mapping';

export async function readPartition(kafka: Kafka, options: PartitionReadOptions): Promise<void> {
  const { topic, partition, fromOffset, untilOffset } = options;
  if (fromOffset >= untilOffset) return;
  const consumer = kafka.consumer({
    groupId: `punctual-reader-${randomBytes(6).toString('hex')}`,
    partitionAssigners: [() => singlePartitionAssigner(topic, partition)],
    readUncommitted: false,
    maxWaitTimeInMs: 200,
    allowAutoTopicCreation: false,
  });
  let finish: () => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const timeoutMs = options.timeoutMs ?? 120_000;
  const timer = setTimeout(() => fail(unavailable(`reading ${topic}-${partition} from ${fromOffset} to ${untilOffset}`, new Error(`timed out after ${timeoutMs} ms`))), timeoutMs);
  let finished = false;
  try {
    // seek() works only once kafkajs has set up the group; records fetched before it are filtered below.
    consumer.on(consumer.events.GROUP_JOIN, () => consumer.seek({ topic, partition, offset: String(fromOffset) }));
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (finished || batch.partition !== partition) return;
        const records: IncomingRecord[] = [];
        let reachedEnd = false;
        for (const message of batch.messages) {
          const record = toIncoming(topic, partition, message);
          if (record.offset < fromOffset) continue;
          if (record.offset >= untilOffset) {
            reachedEnd = true;
            break;
          }
          records.push(record);
        }
        try {
          if (records.length > 0) await options.onRecords(records);
        } catch (error) {
          finished = true;
          fail(error);
          return;
        }
        if (reachedEnd) {
          finished = true;
          finish();
        }
      },
    });
    await done;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
}

function singlePartitionAssigner(topic: string, partition: number): Assigner {
  const name = 'PunctualSinglePartition';
  return {
    name,
    version: 1,
    async assign({ members }) {
      return members.map((member) => ({
        memberId: member.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: { [topic]: [partition] }, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return { name, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
    },
  };
}
