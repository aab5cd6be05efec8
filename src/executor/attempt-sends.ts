/**
 * `ctx.send`: the records a handler writes to Kafka during one attempt. They are not sent at once:
 * a successful attempt's records go into the transaction that records its outcome and commits its
 * event's offset, so they are written exactly once however often the handler runs; a failed
 * attempt's are dropped with it.
 */
import type { Admin, Headers, OutgoingRecord } from '../kafka/port';

export interface SendRecord {
  topic: string;
  key?: string | null;
  value: string | Buffer | null;
  headers?: Headers;
  partition?: number;
}

/** Records one attempt may send: they all go into one transaction. */
export const MAX_SENDS_PER_ATTEMPT = 10_000;

/** Topics known to exist, each checked once per executor: a send to a missing one fails in the handler, not in a transaction. */
export class ExistingTopics {
  private readonly known = new Set<string>();

  constructor(private readonly admin: () => Admin) {}

  async require(topics: string[]): Promise<void> {
    const unknown = [...new Set(topics)].filter((topic) => !this.known.has(topic));
    if (unknown.length === 0) return;
    const found = new Set((await this.admin().describeTopics(unknown)).map((description) => description.topic));
    for (const topic of unknown) {
      if (!found.has(topic)) throw new Error(`ctx.send: topic "${topic}" does not exist (the executor creates no topics for handlers)`);
      this.known.add(topic);
    }
  }
}

export class AttemptSends {
  private readonly records: OutgoingRecord[] = [];
  private ended = false;

  constructor(private readonly topics: ExistingTopics) {}

  async send(records: SendRecord | SendRecord[]): Promise<void> {
    const list = Array.isArray(records) ? records : [records];
    const checked = list.map((record, index) => checkedRecord(record, Array.isArray(records) ? `records[${index}]` : 'record'));
    if (this.records.length + checked.length > MAX_SENDS_PER_ATTEMPT) throw new RangeError(`ctx.send: at most ${MAX_SENDS_PER_ATTEMPT} records per attempt, got ${this.records.length + checked.length}`);
    await this.topics.require(checked.map((record) => record.topic));
    this.refuseEnded();
    this.records.push(...checked);
  }

  /** The records sent, once the attempt has ended: later sends are refused. */
  end(): OutgoingRecord[] {
    this.ended = true;
    return this.records;
  }

  private refuseEnded(): void {
    if (this.ended) throw new Error('ctx.send: the attempt has ended (its handler returned, threw or timed out); records sent after that are not written');
  }
}

function checkedRecord(record: SendRecord, name: string): OutgoingRecord {
  if (typeof record !== 'object' || record === null) throw new TypeError(`ctx.send: ${name} must be an object with topic and value, got ${JSON.stringify(record)}`);
  const { topic, key, value, headers, partition } = record;
  if (typeof topic !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(topic)) throw new TypeError(`ctx.send: ${name}.topic must be a Kafka topic name, got ${JSON.stringify(topic)}`);
  if (key !== undefined && key !== null && typeof key !== 'string') throw new TypeError(`ctx.send: ${name}.key must be a string or null, got ${typeof key}`);
  if (value !== null && typeof value !== 'string' && !Buffer.isBuffer(value)) throw new TypeError(`ctx.send: ${name}.value must be a string, a Buffer or null, got ${typeof value}`);
  if (headers !== undefined && (typeof headers !== 'object' || headers === null || Object.values(headers).some((header) => typeof header !== 'string'))) {
    throw new TypeError(`ctx.send: ${name}.headers must map names to strings, got ${JSON.stringify(headers)}`);
  }
  if (partition !== undefined && (!Number.isInteger(partition) || partition < 0)) throw new TypeError(`ctx.send: ${name}.partition must be a whole number of at least 0, got ${partition}`);
  return { topic, key: key ?? null, value, ...(headers ? { headers: { ...headers } } : {}), ...(partition === undefined ? {} : { partition }) };
}
