/**
 * kafkajs' read_committed filter (consumer/filterAbortedMessages.js in 2.2.4) delivers records of
 * aborted transactions. A fetch response lists the aborted transactions overlapping it (producer id,
 * first offset), and a record must be dropped when it belongs to a transaction of an aborted producer
 * that started at or before it and whose abort marker has not been passed yet. kafkajs activates at
 * most one listed transaction per record it looks at and assumes the list is sorted by first offset,
 * so when a fetch starts inside several aborted transactions (after a broker failure, a node's
 * partition tasks all abort at once), the later ones are never activated and their records reach the
 * application as if committed. Proven in test/kafka/read-committed.test.ts.
 *
 * Here every fetch response is corrected before kafkajs sees it, the way the Java consumer decides:
 * aborted transactions are taken in first-offset order, every one that starts at or before a record
 * is active, and an abort marker ends its producer's. Aborted records are marked as control records,
 * which kafkajs never delivers but counts when it moves the consumer's position, and the response's
 * aborted list is emptied so kafkajs' own filter passes everything else through.
 *
 * kafkajs has no hook for this, so the method is wrapped on its Broker class (kafkajs-internals.ts).
 */
import { wrapKafkajsMethod } from './kafkajs-internals';

/** The parts of a record kafkajs decodes from a fetch response that the decision needs. */
export interface FetchedRecord {
  offset: string;
  key: Buffer | null;
  isControlRecord: boolean;
  batchContext: { producerId: string; inTransaction: boolean };
}

export interface AbortedTransaction {
  producerId: string;
  firstOffset: string;
}

/** A control record's key: version (int16) then type (int16), 0 for ABORT and 1 for COMMIT. */
const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);

/** The records of `records` (one partition, offset order) that belong to an aborted transaction. */
export function abortedRecords<R extends FetchedRecord>(records: R[], abortedTransactions: AbortedTransaction[]): Set<R> {
  const pending = [...abortedTransactions].sort((a, b) => compareOffsets(a.firstOffset, b.firstOffset));
  const abortedProducers = new Set<string>();
  const aborted = new Set<R>();
  for (const record of records) {
    const offset = BigInt(record.offset);
    for (let first = pending[0]; first && BigInt(first.firstOffset) <= offset; first = pending[0]) {
      abortedProducers.add(String(first.producerId));
      pending.shift();
    }
    const producer = String(record.batchContext.producerId);
    if (record.isControlRecord) {
      if (record.key !== null && Buffer.from(record.key).equals(ABORT_MARKER_KEY)) abortedProducers.delete(producer);
    } else if (record.batchContext.inTransaction && abortedProducers.has(producer)) {
      aborted.add(record);
    }
  }
  return aborted;
}

interface FetchResponse {
  responses?: { partitions?: { abortedTransactions?: AbortedTransaction[] | null; messages?: FetchedRecord[] }[] }[];
}

/** Drops aborted records from a decoded fetch response in place, as described above. */
export function correctFetchResponse(response: FetchResponse): void {
  for (const topic of response.responses ?? []) {
    for (const partition of topic.partitions ?? []) {
      const listed = partition.abortedTransactions ?? [];
      if (listed.length === 0) continue;
      for (const record of abortedRecords(partition.messages ?? [], listed)) record.isControlRecord = true;
      partition.abortedTransactions = [];
    }
  }
}

/** kafkajs' internal Broker#fetch. */
type Fetch = (this: object, request: unknown) => Promise<FetchResponse>;

/** Wraps kafkajs' fetch once per process; returns false when kafkajs' internals are not as expected. */
export function installAbortedTransactionsFilter(): boolean {
  return wrapKafkajsMethod<Fetch>('aborted-transactions', 'kafkajs/src/broker', 'fetch', (fetch) =>
    async function (this: object, request) {
      const response = await fetch.call(this, request);
      correctFetchResponse(response);
      return response;
    },
  );
}

function compareOffsets(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}
