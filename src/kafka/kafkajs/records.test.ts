import { chunkBySize } from './records';

test('records are split into chunks under the byte limit, in order, none empty', () => {
  const records = Array.from({ length: 10 }, (_, i) => ({ topic: 't', key: `k${i}`, value: 'v'.repeat(100) }));
  const chunks = chunkBySize(records, 400);
  expect(chunks.flat()).toEqual(records);
  expect(chunks.every((chunk) => chunk.length > 0 && chunk.length <= 2)).toBe(true);
});

test('a record larger than the limit gets a chunk of its own', () => {
  const big = { topic: 't', key: 'big', value: 'v'.repeat(1_000) };
  const small = { topic: 't', key: 's', value: 'v' };
  expect(chunkBySize([small, big, small], 200)).toEqual([[small], [big], [small]]);
});
