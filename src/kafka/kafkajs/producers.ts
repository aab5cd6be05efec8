/** Transactional and plain (acks=all) producers over kafkajs. */
import { Partitioners, type Kafka, type Producer as KafkajsClientProducer, type Transaction as KafkajsTransaction } from 'kafkajs';
import type { OffsetCommit, OutgoingRecord, Producer, RecordMetadata, Transaction, TransactionalProducer } from '../port';
import { chunkBySize, toRecordMetadata, toTopicMessages } from './records';
import { transactionFailed, unavailable } from './error-mapping';

/** Bytes per sendBatch call: under the broker's default max.message.bytes (1 MB) with room to spare. */
const MAX_BATCH_BYTES = 512 * 1024;

/** How long the coordinator keeps an open transaction before aborting it on its own. */
const TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * A transaction that begins right after the previous commit meets CONCURRENT_TRANSACTIONS until the
 * coordinator has written the commit markers (a few ms). kafkajs retries it with its general backoff,
 * 300 ms at first and doubling up to 30 s, which made back-to-back transactions wait ~300 ms and now
 * and then far longer. Measured on the local broker: 2 ms at first gives ~260 transactions/s for one
 * producer (10 ms: ~150/s), and a 50 ms cap removed the 400-600 ms lateness spikes a 1 s cap still
 * left. Retries stay unlimited, as kafkajs requires for idempotence.
 */
export const TRANSACTION_RETRY = { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 2, maxRetryTime: 50 };

export class KafkajsTransactionalProducer implements TransactionalProducer {
  private readonly producer: KafkajsClientProducer;

  constructor(
    kafka: Kafka,
    readonly transactionalId: string,
  ) {
    this.producer = kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: TRANSACTION_TIMEOUT_MS,
      retry: TRANSACTION_RETRY,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async connect(): Promise<void> {
    // kafkajs registers the transactional.id (InitProducerId: the fencing step) only when the first
    // transaction begins, not on connect(). An empty transaction forces it now; aborting an empty
    // transaction sends nothing to the broker.
    try {
      await this.producer.connect();
      const registration = await this.producer.transaction();
      await registration.abort();
    } catch (error) {
      throw transactionFailed('init', this.transactionalId, error);
    }
  }

  async beginTransaction(): Promise<Transaction> {
    try {
      return new KafkajsTransactionHandle(await this.producer.transaction(), this.transactionalId);
    } catch (error) {
      throw transactionFailed('begin', this.transactionalId, error);
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

class KafkajsTransactionHandle implements Transaction {
  constructor(
    private readonly transaction: KafkajsTransaction,
    private readonly transactionalId: string,
  ) {}

  async send(records: OutgoingRecord[]): Promise<RecordMetadata[]> {
    const metadata: RecordMetadata[] = [];
    try {
      for (const chunk of chunkBySize(records, MAX_BATCH_BYTES)) {
        for (const result of toRecordMetadata(await this.transaction.sendBatch({ topicMessages: toTopicMessages(chunk) }))) {
          // The first chunk that reached a partition holds its first record.
          if (!metadata.some((m) => m.topic === result.topic && m.partition === result.partition)) metadata.push(result);
        }
      }
      return metadata;
    } catch (error) {
      throw transactionFailed('send', this.transactionalId, error);
    }
  }

  async sendOffsets(groupId: string, offsets: OffsetCommit[]): Promise<void> {
    if (offsets.length === 0) return;
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const { topic, partition, offset } of offsets) {
      const partitions = byTopic.get(topic) ?? [];
      partitions.push({ partition, offset: String(offset) });
      byTopic.set(topic, partitions);
    }
    try {
      await this.transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      });
    } catch (error) {
      throw transactionFailed('sendOffsets', this.transactionalId, error);
    }
  }

  async commit(): Promise<void> {
    try {
      await this.transaction.commit();
    } catch (error) {
      throw transactionFailed('commit', this.transactionalId, error);
    }
  }

  async abort(): Promise<void> {
    try {
      await this.transaction.abort();
    } catch (error) {
      throw transactionFailed('abort', this.transactionalId, error);
    }
  }
}

export class KafkajsDurableProducer implements Producer {
  private readonly producer: KafkajsClientProducer;

  constructor(kafka: Kafka) {
    // Bounded retries: a caller waiting on acks=all (an HTTP client) gets an answer within seconds.
    // One request in flight: overlapping sends of one idempotent kafkajs producer once ended in
    // OUT_OF_ORDER_SEQUENCE_NUMBER (the bench's feed, not reproduced since); this keeps them in sequence.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 3_000 },
    });
  }

  async connect(): Promise<void> {
    try {
      await this.producer.connect();
    } catch (error) {
      throw unavailable('producer connect', error);
    }
  }

  async send(records: OutgoingRecord[]): Promise<RecordMetadata[]> {
    try {
      const metadata: RecordMetadata[] = [];
      for (const chunk of chunkBySize(records, MAX_BATCH_BYTES)) {
        metadata.push(...toRecordMetadata(await this.producer.sendBatch({ topicMessages: toTopicMessages(chunk), acks: -1 })));
      }
      return metadata;
    } catch (error) {
      throw unavailable('produce', error);
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
