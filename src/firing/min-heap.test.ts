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

test('under interleaved pushes and pops of many random keys every pop is the smallest key held', () => {
  const heap = new MinHeap<number>();
  /** What the heap holds, kept sorted: the reference every pop is checked against. */
  const held: number[] = [];
  let seed = 42;
  const random = (): number => (seed = (seed * 16807) % 2147483647) % 1000;
  let pops = 0;
  for (let i = 0; i < 2000; i++) {
    const key = random();
    heap.push(key, key);
    held.splice(held.findIndex((k) => k > key) === -1 ? held.length : held.findIndex((k) => k > key), 0, key);
    if (i % 3 === 0) {
      expect(heap.peekKey()).toBe(held[0]);
      expect(heap.pop()).toBe(held.shift());
      pops++;
    }
  }
  expect(pops).toBe(667);
  expect(heap.size).toBe(held.length);
  const rest: number[] = [];
  while (heap.size > 0) rest.push(heap.pop() ?? -1);
  expect(rest).toEqual(held);
});

test('clear empties the heap', () => {
  const heap = new MinHeap<string>();
  heap.push(1, 'a');
  heap.push(2, 'b');
  heap.clear();
  expect(heap.size).toBe(0);
  expect(heap.pop()).toBeUndefined();
  heap.push(3, 'c');
  expect(heap.pop()).toBe('c');
});
