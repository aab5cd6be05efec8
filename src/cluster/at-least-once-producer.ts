/**
 * The at-least-once stand-in for a transactional producer, kept only so the benchmark can measure
 * what exactly-once costs. A "transaction" here sends each batch at once (idempotent, acks=all) and
 * commits the input offset through the consumer after the sends: a crash in between re-reads and
 * re-fires, nothing fences a zombie, and consumers see records before the "commit". Never the default.
 */
import type { OffsetCommit, Producer, RecordMetadata, Transaction, TransactionalProducer } from '../kafka/port';

export type CommitOffsets = (offsets: OffsetCommit[]) => Promise<void>;

export class AtLeastOnceProducer implements TransactionalProducer {
  constructor(
    readonly transactionalId: string,
    private readonly producer: Producer,
    private readonly commitOffsets: CommitOffsets,
  ) {}

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async beginTransaction(): Promise<Transaction> {
    const offsets: OffsetCommit[] = [];
    return {
      send: (records): Promise<RecordMetadata[]> => this.producer.send(records),
      sendOffsets: async (_groupId, commits) => {
        offsets.push(...commits);
      },
      commit: async () => {
        if (offsets.length > 0) await this.commitOffsets(offsets);
      },
      // What was sent stays sent: that is the at-least-once trade.
      abort: async () => undefined,
    };
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
