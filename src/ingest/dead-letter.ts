/** The dead letter record for an invalid definition: original key and value, reason and origin in headers. */
import type { IncomingRecord, OutgoingRecord } from '../kafka/port';

export const DLQ_HEADERS = {
  reason: 'punctual-dlq-reason',
  topic: 'punctual-dlq-original-topic',
  partition: 'punctual-dlq-original-partition',
  offset: 'punctual-dlq-original-offset',
} as const;

export function deadLetter(dlqTopic: string, record: IncomingRecord, reason: string): OutgoingRecord {
  return {
    topic: dlqTopic,
    key: record.key?.toString('utf8') ?? null,
    value: record.value,
    headers: {
      ...record.headers,
      [DLQ_HEADERS.reason]: reason,
      [DLQ_HEADERS.topic]: record.topic,
      [DLQ_HEADERS.partition]: String(record.partition),
      [DLQ_HEADERS.offset]: String(record.offset),
    },
  };
}
