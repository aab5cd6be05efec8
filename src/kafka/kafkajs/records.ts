/** Conversions between kafkajs message shapes and the port's record types. */
import type { IHeaders, KafkaMessage, Message, RecordMetadata as KafkajsRecordMetadata } from 'kafkajs';
import type { Headers, IncomingRecord, OutgoingRecord, RecordMetadata } from '../port';

export function toIncoming(topic: string, partition: number, message: KafkaMessage): IncomingRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    key: message.key,
    value: message.value,
    headers: decodeHeaders(message.headers),
  };
}

/** `timestamp` (epoch ms) is the record's CreateTime; without it kafkajs stamps the record when it encodes it. */
export function toMessage(record: OutgoingRecord, timestamp?: number): Message {
  const message: Message = { key: record.key, value: record.value };
  if (timestamp !== undefined) message.timestamp = String(timestamp);
  if (record.headers) message.headers = { ...record.headers };
  if (record.partition !== undefined) message.partition = record.partition;
  return message;
}

/** Groups records by topic, keeping their order, as kafkajs' sendBatch expects. */
export function toTopicMessages(records: OutgoingRecord[], timestamp?: number): { topic: string; messages: Message[] }[] {
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    const messages = byTopic.get(record.topic) ?? [];
    messages.push(toMessage(record, timestamp));
    byTopic.set(record.topic, messages);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function decodeHeaders(headers: IHeaders | undefined): Headers {
  const decoded: Headers = {};
  if (!headers) return decoded;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    // A repeated header keeps its last value; Punctual never writes repeated headers.
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) decoded[name] = last.toString();
  }
  return decoded;
}

export function toRecordMetadata(results: KafkajsRecordMetadata[]): RecordMetadata[] {
  return results.map((result) => ({
    topic: result.topicName,
    partition: result.partition,
    offset: Number(result.baseOffset ?? result.offset ?? -1),
  }));
}

/**
 * kafkajs writes everything a sendBatch call has for one partition as a single record batch, and the
 * broker rejects a batch over its max.message.bytes (1 MB by default); the Java client splits batches
 * by itself. Chunks of at most `maxBytes` (keys, values and headers counted) keep every batch under it.
 */
export function chunkBySize(records: OutgoingRecord[], maxBytes: number): OutgoingRecord[][] {
  const chunks: OutgoingRecord[][] = [];
  let current: OutgoingRecord[] = [];
  let size = 0;
  for (const record of records) {
    const bytes = approximateSize(record);
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(record);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function approximateSize(record: OutgoingRecord): number {
  let bytes = 64 + Buffer.byteLength(record.key ?? '') + (record.value === null ? 0 : Buffer.byteLength(record.value));
  for (const [name, value] of Object.entries(record.headers ?? {})) bytes += Buffer.byteLength(name) + Buffer.byteLength(value) + 8;
  return bytes;
}
