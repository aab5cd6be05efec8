/**
 * What an executor feels: a read_committed consumer in the benchmark process that notes, for each
 * execution event, when it arrived here, when it was due, and when the broker appended it.
 */
import { randomBytes } from 'node:crypto';
import { EVENT_HEADERS } from '../domain/execution-event';
import type { GroupConsumer, KafkaPort } from '../kafka/port';
import { waitFor } from '../util/wait-for';

export class FireReader {
  readonly scheduledAt: number[] = [];
  readonly receivedAt: number[] = [];
  readonly appendedAt: number[] = [];
  /** The schedule id of each arrival. */
  readonly scheduleIds: string[] = [];
  private readonly fireIds = new Set<string>();
  duplicates = 0;
  private readonly consumer: GroupConsumer;
  private assigned = 0;

  /**
   * `only` keeps the events of schedules whose id starts with it (a topic shared by several loads);
   * without it the reader reads the topic from the beginning, with it from the end.
   */
  constructor(port: KafkaPort, topic: string, private readonly partitions = 12, only?: string) {
    this.consumer = port.createGroupConsumer({
      groupId: `bench-reader-${randomBytes(4).toString('hex')}`,
      topics: [topic],
      fromBeginning: only === undefined,
      maxWaitMs: 100,
      listener: {
        onAssigned: async (tps) => void (this.assigned += tps.length),
        onRevoked: async () => undefined,
        onRecords: async ({ records }) => {
          const now = Date.now();
          for (const record of records) {
            if (only !== undefined && !(record.headers[EVENT_HEADERS.id] ?? '').startsWith(only)) continue;
            const fireId = record.headers[EVENT_HEADERS.fireId] ?? '';
            if (this.fireIds.has(fireId)) {
              this.duplicates++;
              continue;
            }
            this.fireIds.add(fireId);
            this.scheduledAt.push(Number(record.headers[EVENT_HEADERS.scheduledAt]));
            this.receivedAt.push(now);
            this.appendedAt.push(record.timestamp);
            this.scheduleIds.push(record.headers[EVENT_HEADERS.id] ?? '');
          }
        },
      },
    });
  }

  get count(): number {
    return this.receivedAt.length;
  }

  /** Starts reading and resolves once every partition of the topic is assigned to it. */
  async start(): Promise<void> {
    await this.consumer.start();
    await waitFor('the fire reader to own its partitions', () => this.assigned >= this.partitions, { timeoutMs: 30_000 });
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }
}
