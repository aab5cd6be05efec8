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

export function toMessage(record: OutgoingRecord): Message {
  const message: Message = { key: record.key, value: record.value };
  if (record.headers) message.headers = { ...record.headers };
  if (record.partition !== undefined) message.partition = record.partition;
  return message;
}

/** Groups records by topic, keeping their order, as kafkajs' sendBatch expects. */
export function toTopicMessages(records: OutgoingRecord[]): { topic: string; messages: Message[] }[] {
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    const messages = byTopic.get(record.topic) ?? [];
    messages.push(toMessage(record));
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
