/** The kafkajs implementation of the Kafka port: the only module that constructs kafkajs clients. */
import { Kafka, Partitioners, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '../../log/logger';
import type { Admin, AdminOptions, GroupConsumer, GroupConsumerOptions, KafkaPort, PartitionReadOptions, Producer, TopicTail, TopicTailOptions, TransactionalProducer } from '../port';
import { readPartition } from './partition-reader';
import { KafkajsTopicTail } from './topic-tail';
import { KafkajsAdminClient } from './admin';
import { KafkajsGroupConsumer } from './group-consumer';
import { KafkajsDurableProducer, KafkajsTransactionalProducer } from './producers';
import { installCoordinatorCache } from './coordinator-cache';
import { installConcurrentTransactionsWait } from './concurrent-transactions';
import { installAbortedTransactionsFilter } from './aborted-transactions';
import { installGenerationFencing } from './generation-fencing';
import { KAFKAJS_VERSION, installedKafkajsVersion } from './kafkajs-internals';
import { KafkaPortError } from '../errors';
import { noDelaySocketFactory } from './socket-factory';

/** Retries of the clients a caller waits for: about 2 s in all, where kafkajs' defaults take about half a minute. */
const INTERACTIVE_RETRY = { retries: 2, initialRetryTime: 300, maxRetryTime: 2_000 };

export interface KafkajsPortOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** transaction.timeout.ms of the transactional producers; 60 s by default. */
  transactionTimeoutMs?: number;
}

export class KafkajsPort implements KafkaPort {
  readonly brokers: string[];
  private readonly kafka: Kafka;
  /** kafkajs' retries of cluster lookups come from the client, so the clients a caller waits for have one of their own. */
  private readonly interactiveKafka: Kafka;
  private readonly logger: Logger;
  private readonly transactionTimeoutMs: number | undefined;
  private readonly partitioner = Partitioners.DefaultPartitioner();

  constructor(options: KafkajsPortOptions) {
    this.brokers = options.brokers;
    this.transactionTimeoutMs = options.transactionTimeoutMs;
    this.logger = options.logger.child({ component: 'kafka' });
    if (!installCoordinatorCache()) this.logger.warn('kafkajs internals differ from 2.2.4: transactions look up their coordinator every time');
    if (!installConcurrentTransactionsWait()) this.logger.warn('kafkajs internals differ from 2.2.4: back-to-back transactions wait with kafkajs backoff');
    if (!installGenerationFencing()) {
      throw new KafkaPortError(`kafkajs ${installedKafkajsVersion() ?? '(not found)'} is not ${KAFKAJS_VERSION}: transaction offsets cannot carry the group generation (KIP-447), on which exactly-once depends; install kafkajs ${KAFKAJS_VERSION}`, false);
    }
    // Without it a restore could read aborted changelog records, and exactly-once would not hold: no start.
    if (!installAbortedTransactionsFilter()) {
      throw new KafkaPortError(`kafkajs ${installedKafkajsVersion() ?? '(not found)'} is not ${KAFKAJS_VERSION}: its read_committed reads deliver records of aborted transactions, and the correction Punctual depends on cannot be installed; install kafkajs ${KAFKAJS_VERSION}`, false);
    }
    const client = { clientId: options.clientId, brokers: options.brokers, logLevel: logLevel.WARN, logCreator: () => (entry: LogEntry) => this.log(entry), socketFactory: noDelaySocketFactory };
    this.kafka = new Kafka(client);
    this.interactiveKafka = new Kafka({ ...client, retry: INTERACTIVE_RETRY });
  }

  createAdmin(options: AdminOptions = {}): Admin {
    return new KafkajsAdminClient(options.interactive ? this.interactiveKafka : this.kafka);
  }

  /** Its callers wait for the answer (REST writes), so it gives up within seconds too. */
  createProducer(): Producer {
    return new KafkajsDurableProducer(this.interactiveKafka);
  }

  createTransactionalProducer(transactionalId: string): TransactionalProducer {
    return new KafkajsTransactionalProducer(this.kafka, transactionalId, this.transactionTimeoutMs);
  }

  createGroupConsumer(options: GroupConsumerOptions): GroupConsumer {
    return new KafkajsGroupConsumer(this.kafka, options, this.logger.child({ groupId: options.groupId }));
  }

  partitionFor(key: string, partitionCount: number): number {
    // The same partitioner the producers use, given a topic of `partitionCount` partitions.
    const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [], isr: [] }));
    return this.partitioner({ topic: '', partitionMetadata, message: { key, value: null } });
  }

  readPartition(options: PartitionReadOptions): Promise<void> {
    return readPartition(this.kafka, options);
  }

  tailTopic(options: TopicTailOptions): TopicTail {
    return new KafkajsTopicTail(this.kafka, options, this.logger.child({ tail: options.topic }));
  }

  // kafkajs logs every broker error it retries (coordinator loading, concurrent transactions) at ERROR.
  // What finally fails reaches Punctual as a thrown error and is logged there, so kafkajs' own lines are debug.
  private log({ namespace, level, log }: LogEntry): void {
    const { message, ...fields } = log;
    const entry = { namespace, detail: message, error: fields.error };
    if (level === logLevel.WARN) this.logger.warn('kafkajs', entry);
    else this.logger.debug('kafkajs', entry);
  }
}
