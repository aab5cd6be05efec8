/**
 * The exclusion calendars, read in full from the compacted punctual.calendars topic by every node (a
 * global table): key the calendar's name, value its JSON, a tombstone deletes it. A record that is
 * not a valid calendar is logged and leaves the calendar as it was. Whoever changes a calendar can
 * wait until this node has applied the change (read your writes).
 */
import type { Calendar, CalendarLookup } from '../domain/calendar';
import { validateCalendar } from '../domain/calendar-validation';
import { KafkaPortError, KafkaUnavailableError } from '../kafka/errors';
import type { Admin, IncomingRecord, KafkaPort, TopicTail } from '../kafka/port';
import type { Logger } from '../log/logger';
import { sleep } from '../util/sleep';

/** Pause before the end offsets are asked for again after a retriable refusal. */
const END_OFFSETS_RETRY_MS = 200;

export interface CalendarTableOptions {
  port: KafkaPort;
  topic: string;
  logger: Logger;
  /** Called with the names of calendars that changed (created, changed or deleted), after they apply. */
  onChange?: (names: string[]) => void;
}

interface Waiter {
  partition: number;
  offset: number;
  resolve: () => void;
}

export class CalendarTable {
  private readonly calendars = new Map<string, Calendar>();
  /** Per partition, the offset after the last record applied. */
  private readonly applied = new Map<number, number>();
  private waiters: Waiter[] = [];
  private tail: TopicTail | undefined;
  private admin: Admin | undefined;
  private readonly logger: Logger;
  /** Set after start: changes are reported from then on. */
  onChange: ((names: string[]) => void) | undefined;

  constructor(private readonly options: CalendarTableOptions) {
    this.logger = options.logger.child({ component: 'calendars' });
    this.onChange = options.onChange;
  }

  /**
   * Follows the topic and resolves once everything in it when called has been read. An empty topic
   * (no calendar was ever written) needs no reading: the start does not wait for the reader to join
   * its group, which a coordinator that is loading can hold up for seconds.
   */
  async start(timeoutMs: number): Promise<void> {
    this.admin = this.options.port.createAdmin();
    await this.admin.connect();
    this.tail = this.options.port.tailTopic({ topic: this.options.topic, onRecords: async (records, position) => this.apply(records, position) });
    const following = this.tail.start();
    const deadline = Date.now() + timeoutMs;
    const ends = await this.endOffsets(deadline).catch(async (error: unknown) => {
      await following.catch(() => undefined);
      throw error;
    });
    if (ends.every(({ offset }) => offset === 0)) {
      following.catch((error: unknown) => this.logger.error('following the calendars topic failed: calendars written from now on are not seen until the node restarts', { error }));
    } else {
      await following;
      await Promise.all(ends.map(({ partition, offset }) => this.reached(partition, offset, Math.max(0, deadline - Date.now()))));
    }
    this.logger.info('calendars read', { calendars: this.calendars.size });
  }

  async stop(): Promise<void> {
    await this.tail?.stop();
    await this.admin?.close().catch(() => undefined);
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  readonly lookup: CalendarLookup = (name) => this.calendars.get(name);

  /** Every calendar, by name. */
  list(): Calendar[] {
    return [...this.calendars.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  get size(): number {
    return this.calendars.size;
  }

  /** Resolves once every record the topic held when called has been applied here. */
  async caughtUp(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const ends = await this.endOffsets(deadline);
    await Promise.all(ends.map(({ partition, offset }) => this.reached(partition, offset, Math.max(0, deadline - Date.now()))));
  }

  /** The topic's end offsets, asked again while the cluster answers with a retriable error (a topic another node has just created has no leader yet). */
  private async endOffsets(deadline: number): Promise<{ partition: number; offset: number }[]> {
    const admin = this.admin;
    if (!admin) throw new Error('the calendar table has not started');
    for (;;) {
      try {
        return await admin.endOffsets(this.options.topic);
      } catch (error) {
        if (!(error instanceof KafkaPortError && error.retriable) || Date.now() + END_OFFSETS_RETRY_MS > deadline) throw error;
        this.logger.debug('asking for the calendars topic end again', { error });
        await sleep(END_OFFSETS_RETRY_MS);
      }
    }
  }

  /** Resolves once the record at `offset` of `partition`, and everything before it, has been applied. */
  reached(partition: number, offset: number, timeoutMs: number): Promise<void> {
    if ((this.applied.get(partition) ?? 0) >= offset) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new KafkaUnavailableError(`calendars: offset ${offset} of ${this.options.topic}-${partition} not read within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        partition,
        offset,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  private apply(records: IncomingRecord[], position: { partition: number; nextOffset: number }): void {
    const changed = new Set<string>();
    for (const record of records) {
      if (record.offset < (this.applied.get(record.partition) ?? 0)) continue;
      this.applied.set(record.partition, record.offset + 1);
      const name = record.key?.toString('utf8') ?? '';
      if (record.value === null) {
        if (this.calendars.delete(name)) changed.add(name);
        continue;
      }
      const result = this.decode(name, record.value);
      if (!result.ok) {
        this.logger.warn('calendar record ignored', { offset: record.offset, partition: record.partition, name, field: result.field, reason: result.reason });
        continue;
      }
      this.calendars.set(name, result.calendar);
      changed.add(name);
    }
    // Past the markers of a calendar written in a transaction, which are no records.
    if (position.nextOffset > (this.applied.get(position.partition) ?? 0)) this.applied.set(position.partition, position.nextOffset);
    const reached = this.waiters.filter((w) => (this.applied.get(w.partition) ?? 0) >= w.offset);
    this.waiters = this.waiters.filter((w) => !reached.includes(w));
    if (changed.size > 0) this.onChange?.([...changed]);
    for (const waiter of reached) waiter.resolve();
  }

  private decode(name: string, value: Buffer): ReturnType<typeof validateCalendar> {
    let body: unknown;
    try {
      body = JSON.parse(value.toString('utf8'));
    } catch (error) {
      return { ok: false, field: '(body)', reason: `is not JSON: ${error instanceof Error ? error.message : String(error)}` };
    }
    return validateCalendar(name, body);
  }
}
