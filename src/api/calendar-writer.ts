/** Writes calendars to the calendars topic for REST clients; resolves only once Kafka acknowledged with acks=all. */
import type { Calendar } from '../domain/calendar';
import type { Producer } from '../kafka/port';
import { HttpError } from './http-error';

export interface CalendarReceipt {
  name: string;
  partition: number;
  offset: number;
}

export class CalendarWriter {
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  /** `calendar` null writes a tombstone (a delete). */
  async write(name: string, calendar: Calendar | null): Promise<CalendarReceipt> {
    try {
      const [metadata] = await this.producer.send([{ topic: this.topic, key: name, value: calendar === null ? null : JSON.stringify(calendar) }]);
      if (!metadata) throw new Error('Kafka reported no offset for the write');
      return { name, partition: metadata.partition, offset: metadata.offset };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new HttpError(503, 'kafka_unavailable', `Kafka did not acknowledge the calendar: ${reason}`);
    }
  }
}
