/**
 * Follows a whole topic with kafkajs: a consumer alone in a group of its own (a fresh id each time,
 * nothing committed), so it gets every partition from the beginning. If kafkajs restarts the
 * consumer after a failure, it reads from the beginning again; the owner skips what it has.
 */
import type { Consumer, Kafka } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../log/logger';
import type { IncomingRecord, TopicTail, TopicTailOptions } from '../port';
import { unavailable } from './error-mapping';
import { toIncoming } from './records';

export class KafkajsTopicTail implements TopicTail {
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly options: TopicTailOptions,
    private readonly logger: Logger,
  ) {
    this.consumer = kafka.consumer({
      groupId: `punctual-tail-${randomBytes(6).toString('hex')}`,
      readUncommitted: false,
      maxWaitTimeInMs: options.maxWaitMs ?? 500,
      allowAutoTopicCreation: false,
    });
  }

  async start(): Promise<void> {
    const { topic } = this.options;
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: [topic], fromBeginning: true });
      await this.consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const records: IncomingRecord[] = batch.messages.map((message) => toIncoming(topic, batch.partition, message));
          // lastOffset counts the transaction markers kafkajs filters out.
          await this.options.onRecords(records, { partition: batch.partition, nextOffset: Number(batch.lastOffset()) + 1 });
        },
      });
    } catch (error) {
      throw unavailable(`following ${topic}`, error);
    }
    // A batch of transaction markers only never reaches eachBatch; its end still moves the position.
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.topic !== topic) return;
      void this.options.onRecords([], { partition: payload.partition, nextOffset: Number(payload.lastOffset) + 1 }).catch((error: unknown) => this.logger.warn('moving the topic position failed', { error }));
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => this.logger.warn('the topic reader crashed; kafkajs restarts it', { error: payload.error, restart: payload.restart }));
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch((error: unknown) => this.logger.warn('closing the topic reader failed', { error }));
  }
}
