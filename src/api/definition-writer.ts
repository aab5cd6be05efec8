/** Writes definitions to the definitions topic for REST clients; resolves only once Kafka acknowledged with acks=all. */
import type { ScheduleId } from '../domain/definition';
import { sizeProblem } from '../ingest/decode-definition';
import type { Producer } from '../kafka/port';
import { HttpError } from './http-error';

export interface WriteReceipt {
  id: ScheduleId;
  partition: number;
  offset: number;
}

export class DefinitionWriter {
  constructor(
    private readonly producer: Producer,
    private readonly definitionsTopic: string,
    private readonly maxDefinitionBytes: number,
  ) {}

  /**
   * `body` null writes a tombstone (DELETE). A value over the size limit is refused with 413 before
   * anything is written: the ingest path would dead-letter it.
   */
  async write(id: ScheduleId, body: unknown): Promise<WriteReceipt> {
    const value = body === null ? null : JSON.stringify(body);
    const tooLarge = value === null ? undefined : sizeProblem(Buffer.byteLength(value), this.maxDefinitionBytes);
    if (tooLarge) throw new HttpError(413, 'body_too_large', `(body): ${tooLarge}`, { field: '(body)', reason: tooLarge });
    try {
      const [metadata] = await this.producer.send([{ topic: this.definitionsTopic, key: id, value }]);
      if (!metadata) throw new Error('Kafka reported no offset for the write');
      return { id, partition: metadata.partition, offset: metadata.offset };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // Not acknowledged is not the same as not stored: a broker may have died after appending it.
      throw new HttpError(503, 'kafka_unavailable', `Kafka did not acknowledge the definition: ${reason}`);
    }
  }
}
