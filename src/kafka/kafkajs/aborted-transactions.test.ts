import { abortedRecords, type FetchedRecord } from './aborted-transactions';

const ABORT = Buffer.from([0, 0, 0, 0]);
const COMMIT = Buffer.from([0, 0, 0, 1]);

function data(offset: number, producerId: string, inTransaction = true): FetchedRecord {
  return { offset: String(offset), key: Buffer.from('k'), isControlRecord: false, batchContext: { producerId, inTransaction } };
}

function marker(offset: number, producerId: string, key: Buffer): FetchedRecord {
  return { offset: String(offset), key, isControlRecord: true, batchContext: { producerId, inTransaction: true } };
}

function offsetsOf(records: Set<FetchedRecord>): number[] {
  return [...records].map((record) => Number(record.offset)).sort((a, b) => a - b);
}

test('every aborted transaction that started before the first record is active, in any listed order', () => {
  // Fetched from offset 2: A started at 0, B at 1; the list is not in first-offset order.
  const records = [data(2, 'B'), data(3, 'A'), marker(4, 'A', ABORT), marker(5, 'B', ABORT), data(6, 'C', false)];
  const aborted = abortedRecords(records, [
    { producerId: 'B', firstOffset: '1' },
    { producerId: 'A', firstOffset: '0' },
  ]);
  expect(offsetsOf(aborted)).toEqual([2, 3]);
});

test("an abort marker ends its producer's aborted transaction; a later committed one of the same producer is kept", () => {
  const records = [data(0, 'A'), marker(1, 'A', ABORT), data(2, 'A'), marker(3, 'A', COMMIT)];
  expect(offsetsOf(abortedRecords(records, [{ producerId: 'A', firstOffset: '0' }]))).toEqual([0]);
});

test('records of other producers, committed transactions and non-transactional records are kept', () => {
  const records = [data(0, 'A'), data(1, 'B'), marker(2, 'B', COMMIT), data(3, 'A', false), marker(4, 'A', ABORT)];
  expect(offsetsOf(abortedRecords(records, [{ producerId: 'A', firstOffset: '0' }]))).toEqual([0]);
});

test('a listed transaction that starts after a record does not touch it', () => {
  const records = [data(0, 'A'), marker(1, 'A', COMMIT), data(2, 'A'), marker(3, 'A', ABORT)];
  expect(offsetsOf(abortedRecords(records, [{ producerId: 'A', firstOffset: '2' }]))).toEqual([2]);
});
