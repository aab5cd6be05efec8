/**
 * The soak's verifier: a read_committed reader of the target topic that checks every execution event
 * against the schedules the soak defined, with one bit per expected occurrence (a 30-minute run at
 * 10k fires/s is 18M of them: a Set of ids would not fit in memory, the bits take 2 MB). At the end,
 * every bit must be set exactly once, and nothing outside them may have arrived.
 */
import { randomBytes } from 'node:crypto';
import { EVENT_HEADERS } from '../domain/execution-event';
import type { GroupConsumer, IncomingRecord, KafkaPort } from '../kafka/port';
import { waitFor } from '../util/wait-for';

/** Lateness samples kept for the percentiles: every n-th arrival. */
const SAMPLE_EVERY = 50;

export interface SoakTally {
  expected: number;
  received: number;
  duplicates: number;
  unexpected: number;
  missing: number;
  /** Largest arrival - due time seen, in ms: the longest an occurrence waited (a failover's pause shows here). */
  maxLatenessMs: number;
  latenessSamples: number[];
}

export class SoakVerifier {
  private readonly seen: Uint8Array;
  private received = 0;
  private duplicates = 0;
  private unexpected = 0;
  private maxLatenessMs = 0;
  private readonly samples: number[] = [];
  private readonly consumer: GroupConsumer;
  private assigned = 0;
  private readonly markers = new Set<number>();
  private markerValue: string | undefined;

  /** Schedules `<host>/s<i>` for i < schedules, occurrences 1..occurrences each. */
  constructor(
    port: KafkaPort,
    private readonly topic: string,
    private readonly partitions: number,
    private readonly host: string,
    private readonly schedules: number,
    private readonly occurrences: number,
  ) {
    this.seen = new Uint8Array(Math.ceil((schedules * occurrences) / 8));
    this.consumer = port.createGroupConsumer({
      groupId: `soak-verifier-${randomBytes(4).toString('hex')}`,
      topics: [topic],
      fromBeginning: true,
      maxWaitMs: 100,
      listener: {
        onAssigned: async (tps) => void (this.assigned += tps.length),
        onRevoked: async () => undefined,
        onRecords: async ({ records }) => this.take(records, Date.now()),
      },
    });
  }

  get count(): number {
    return this.received;
  }

  async start(): Promise<void> {
    await this.consumer.start();
    await waitFor('the soak verifier to own its partitions', () => this.assigned >= this.partitions, { timeoutMs: 60_000 });
  }

  /** Waits until every record committed before now has been read: a marker appended to each partition has arrived. */
  async drain(port: KafkaPort, timeoutMs: number): Promise<void> {
    this.markerValue = `soak-marker-${randomBytes(4).toString('hex')}`;
    const producer = port.createProducer();
    await producer.connect();
    try {
      await producer.send(Array.from({ length: this.partitions }, (_, partition) => ({ topic: this.topic, partition, key: 'marker', value: this.markerValue ?? '' })));
    } finally {
      await producer.close();
    }
    await waitFor('the markers on every partition', () => this.markers.size >= this.partitions, { timeoutMs, intervalMs: 200 });
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  tally(): SoakTally {
    const expected = this.schedules * this.occurrences;
    let set = 0;
    for (const byte of this.seen) for (let bit = byte; bit > 0; bit &= bit - 1) set++;
    return { expected, received: this.received, duplicates: this.duplicates, unexpected: this.unexpected, missing: expected - set, maxLatenessMs: this.maxLatenessMs, latenessSamples: this.samples };
  }

  private take(records: IncomingRecord[], now: number): void {
    for (const record of records) {
      if (this.markerValue !== undefined && record.value?.toString() === this.markerValue) {
        this.markers.add(record.partition);
        continue;
      }
      const id = record.headers[EVENT_HEADERS.id] ?? '';
      const index = Number(id.slice(this.host.length + 2));
      const occurrence = Number(record.headers[EVENT_HEADERS.occurrence]);
      if (!id.startsWith(`${this.host}/s`) || !Number.isInteger(index) || index < 0 || index >= this.schedules || !Number.isInteger(occurrence) || occurrence < 1 || occurrence > this.occurrences) {
        this.unexpected++;
        continue;
      }
      const bit = index * this.occurrences + occurrence - 1;
      const mask = 1 << (bit & 7);
      const slot = bit >> 3;
      if (((this.seen[slot] ?? 0) & mask) !== 0) {
        this.duplicates++;
        continue;
      }
      this.seen[slot] = (this.seen[slot] ?? 0) | mask;
      this.received++;
      const lateness = Math.max(0, now - Number(record.headers[EVENT_HEADERS.scheduledAt]));
      if (lateness > this.maxLatenessMs) this.maxLatenessMs = lateness;
      if (this.received % SAMPLE_EVERY === 0) this.samples.push(lateness);
    }
  }
}
