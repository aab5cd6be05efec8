/** Transactional and plain (acks=all) producers over kafkajs. */
import { Partitioners, type Kafka, type ProducerConfig, type Producer as KafkajsClientProducer, type Transaction as KafkajsTransaction } from 'kafkajs';
import type { GroupGeneration, OffsetCommit, OutgoingRecord, Producer, RecordMetadata, Transaction, TransactionalProducer } from '../port';
import { withGeneration } from './generation-fencing';
import { chunkBySize, toRecordMetadata, toTopicMessages } from './records';
import { sleep } from '../../util/sleep';
import { certainlyNotWritten, transactionFailed, unavailable } from './error-mapping';

/** Bytes per sendBatch call: under the broker's default max.message.bytes (1 MB) with room to spare. */
const MAX_BATCH_BYTES = 512 * 1024;

/** How long the coordinator keeps an open transaction before aborting it on its own, unless configured. */
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * kafkajs must never retry a produce request by itself, transactional or not. Its retry of a
 * sendBatch (src/producer/sendMessages.js in 2.2.4) is unsafe when a broker dies (measured in
 * test/e2e/fault-suite.test.ts, see docs/architecture.md): the first failed broker request rejects
 * the attempt while requests to other brokers are still in flight, and the retry sends their records
 * again with new sequence numbers (two copies in one transaction); and the retry skips every broker
 * that already answered, so records of a partition whose leader moved to one of those are never sent
 * while the send still resolves. With no retries a failed send fails the transaction, which is aborted
 * and done again as a whole. kafkajs accepts zero retries only from a producer not marked idempotent;
 * its transactions still use a producer id, epochs and sequence numbers.
 */
const NO_PRODUCE_RETRIES = { retries: 0 };

/** kafkajs options of every transactional producer Punctual creates. */
export function transactionalProducerOptions(transactionalId: string, transactionTimeoutMs = DEFAULT_TRANSACTION_TIMEOUT_MS): ProducerConfig {
  return {
    transactionalId,
    idempotent: false,
    maxInFlightRequests: 1,
    transactionTimeout: transactionTimeoutMs,
    retry: NO_PRODUCE_RETRIES,
    createPartitioner: Partitioners.DefaultPartitioner,
  };
}

export class KafkajsTransactionalProducer implements TransactionalProducer {
  private readonly producer: KafkajsClientProducer;

  constructor(
    kafka: Kafka,
    readonly transactionalId: string,
    transactionTimeoutMs?: number,
  ) {
    this.producer = kafka.producer(transactionalProducerOptions(transactionalId, transactionTimeoutMs));
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
    try {
      await this.producer.disconnect();
    } catch (error) {
      throw unavailable('producer close', error);
    }
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

  async sendOffsets(groupId: string, offsets: OffsetCommit[], generation?: GroupGeneration): Promise<void> {
    if (offsets.length === 0) return;
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const { topic, partition, offset } of offsets) {
      const partitions = byTopic.get(topic) ?? [];
      partitions.push({ partition, offset: String(offset) });
      byTopic.set(topic, partitions);
    }
    const send = (): Promise<void> =>
      this.transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      });
    try {
      await (generation ? withGeneration(this.transactionalId, generation, send) : send());
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

/**
 * Sends of the durable producer: the first attempt and up to three more, 300 ms apart at first and
 * doubling, only while each failure certainly wrote nothing (a refused connection, a leader moving).
 */
const DURABLE_ATTEMPTS = 4;
const DURABLE_FIRST_BACKOFF_MS = 300;

export class KafkajsDurableProducer implements Producer {
  private readonly producer: KafkajsClientProducer;

  constructor(kafka: Kafka) {
    // Not idempotent, and no kafkajs retries (NO_PRODUCE_RETRIES says why). A send is retried only
    // when its failure wrote nothing; one that may have written (a timeout, a connection lost
    // mid-request) fails, and the caller answers 503. A retried send of several partitions may still
    // write a partition twice (another broker's request was in flight): it goes out again whole with
    // the timestamps of its first attempt, so a copy of a definition is the same definition again, which
    // changes nothing of its run (ingest/apply-definition.ts). One request in flight per broker keeps
    // a connection's sends in order.
    this.producer = kafka.producer({
      idempotent: false,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: NO_PRODUCE_RETRIES,
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
    const timestamp = Date.now();
    const chunks = chunkBySize(records, MAX_BATCH_BYTES).map((chunk) => toTopicMessages(chunk, timestamp));
    const metadata: RecordMetadata[] = [];
    for (const topicMessages of chunks) metadata.push(...(await this.sendWithRetries(topicMessages)));
    return metadata;
  }

  async close(): Promise<void> {
    try {
      await this.producer.disconnect();
    } catch (error) {
      throw unavailable('producer close', error);
    }
  }

  private async sendWithRetries(topicMessages: ReturnType<typeof toTopicMessages>): Promise<RecordMetadata[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return toRecordMetadata(await this.producer.sendBatch({ topicMessages, acks: -1 }));
      } catch (error) {
        if (attempt >= DURABLE_ATTEMPTS || !certainlyNotWritten(error)) throw unavailable('produce', error);
        await sleep(DURABLE_FIRST_BACKOFF_MS * 2 ** (attempt - 1));
      }
    }
  }
}
