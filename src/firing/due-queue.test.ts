import type { ScheduleDefinition } from '../domain/definition';
import { DueQueue } from './due-queue';

function definition(name: string): ScheduleDefinition {
  return { id: `h/${name}`, host: 'h', name, action: 'INSERT', timing: { kind: 'at', at: 0 }, topic: 't', headers: {}, data: null, misfire: 'fire-once' };
}

test('due fires come out earliest first and stay pending until settled', () => {
  const queue = new DueQueue();
  queue.put(definition('c'), 300, 2);
  queue.put(definition('a'), 100, 0);
  queue.put(definition('b'), 200, 1);
  expect(queue.nextDueAt()).toBe(100);
  const due = queue.due(250, 10);
  expect(due.map((fire) => fire.definition.name)).toEqual(['a', 'b']);
  expect(queue.size).toBe(3);
  for (const fire of due) queue.settle(fire);
  expect(queue.size).toBe(1);
  expect(queue.nextDueAt()).toBe(300);
});

test('a replaced schedule keeps only its new due time, and settling the old version leaves it pending', () => {
  const queue = new DueQueue();
  queue.put(definition('a'), 100, 0);
  const [old] = queue.due(100, 10);
  queue.put(definition('a'), 500, 3);
  if (old) queue.settle(old);
  expect(queue.size).toBe(1);
  expect(queue.due(499, 10)).toEqual([]);
  expect(queue.due(500, 10).map((fire) => fire.sourceOffset)).toEqual([3]);
});

test('removed schedules never come due and the lowest source offset skips them', () => {
  const queue = new DueQueue();
  queue.put(definition('a'), 100, 5);
  queue.put(definition('b'), 200, 7);
  expect(queue.remove('h/a')).toBe(true);
  expect(queue.due(1_000, 10).map((fire) => fire.definition.name)).toEqual(['b']);
  expect(queue.lowestSourceOffset()).toBe(7);
  expect(queue.lowestSourceOffset((fire) => fire.definition.name !== 'b')).toBeUndefined();
});

test('due() returns at most max fires', () => {
  const queue = new DueQueue();
  for (let i = 0; i < 50; i++) queue.put(definition(`s${i}`), 1_000 - i, i);
  const due = queue.due(1_000, 10);
  expect(due.map((fire) => fire.dueAt)).toEqual([951, 952, 953, 954, 955, 956, 957, 958, 959, 960]);
});
