import type { OutgoingRecord } from '../kafka/port';
import { PartitionProgress } from './partition-progress';

const record = (value: string): OutgoingRecord => ({ topic: 'status', key: null, value });

test('only an unbroken run of finished events is taken, with the offset after it', () => {
  const progress = new PartitionProgress(10);
  for (const offset of [10, 11, 12]) progress.started(offset);
  progress.finished(11, [record('b')]);
  expect(progress.hasFinished()).toBe(false);
  expect(progress.take()).toBeUndefined();
  progress.finished(10, [record('a')]);
  const taken = progress.take();
  expect(taken?.nextOffset).toBe(12);
  expect(taken?.finished.flatMap((event) => event.records.map((r) => r.value))).toEqual(['a', 'b']);
  expect(progress.isBehind(11)).toBe(true);
  expect(progress.isBehind(13)).toBe(false);
  expect(progress.running).toBe(1);
});

test('what a failed transaction carried is given back first in line, and taken again whole', () => {
  const progress = new PartitionProgress();
  for (const offset of [5, 6, 7]) progress.started(offset);
  progress.finished(5, [record('a')]);
  progress.finished(6, []);
  const taken = progress.take();
  progress.finished(7, [record('c')]);
  if (taken) progress.giveBack(taken.finished);
  // Given back, not run again: its outcome waits for the next transaction.
  expect(progress.isBehind(5)).toBe(true);
  const again = progress.take();
  expect(again?.nextOffset).toBe(8);
  expect(again?.finished.map((event) => event.offset)).toEqual([5, 6, 7]);
});

test('an offset delivered again while it runs or waits to commit is behind, and cannot be started twice', () => {
  const progress = new PartitionProgress(3);
  progress.started(3);
  progress.started(4);
  progress.finished(3, [record('a')]);
  expect([3, 4].map((offset) => progress.isBehind(offset))).toEqual([true, true]);
  expect(progress.isBehind(5)).toBe(false);
  expect(() => progress.started(4)).toThrow('offset 4 was started already');
  progress.finished(4, []);
  expect(progress.take()?.nextOffset).toBe(5);
});
