/** Writes definitions to the definitions topic for REST clients; resolves only once Kafka acknowledged with acks=all. */
import type { ScheduleId } from '../domain/definition';
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
  ) {}

  /** `body` null writes a tombstone (DELETE). */
  async write(id: ScheduleId, body: unknown): Promise<WriteReceipt> {
    try {
      const [metadata] = await this.producer.send([{ topic: this.definitionsTopic, key: id, value: body === null ? null : JSON.stringify(body) }]);
      if (!metadata) throw new Error('Kafka reported no offset for the write');
      return { id, partition: metadata.partition, offset: metadata.offset };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // Not acknowledged is not the same as not stored: a broker may have died after appending it.
      throw new HttpError(503, 'kafka_unavailable', `Kafka did not acknowledge the definition: ${reason}`);
    }
  }
}
