import { MinHeap } from './min-heap';

test('pops in key order, ties in insertion order', () => {
  const heap = new MinHeap<string>();
  const keys = [5, 3, 9, 1, 3, 7, 0, 9, 2];
  keys.forEach((key, i) => heap.push(key, `${key}-${i}`));
  const out: string[] = [];
  while (heap.size > 0) out.push(heap.pop() ?? '');
  expect(out).toEqual(['0-6', '1-3', '2-8', '3-1', '3-4', '5-0', '7-5', '9-2', '9-7']);
  expect(heap.pop()).toBeUndefined();
  expect(heap.peekKey()).toBeUndefined();
});

test('stays ordered under interleaved pushes and pops of many random keys', () => {
  const heap = new MinHeap<number>();
  let seed = 42;
  const random = (): number => (seed = (seed * 16807) % 2147483647) % 1000;
  const popped: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const key = random();
    heap.push(key, key);
    if (i % 3 === 0) popped.push(heap.pop() ?? -1);
  }
  const rest: number[] = [];
  while (heap.size > 0) rest.push(heap.pop() ?? -1);
  expect(rest).toEqual([...rest].sort((a, b) => a - b));
});
