/**
 * The table's own logic with a scripted tail (what Kafka delivers is proven in
 * test/e2e/calendars.test.ts): records read again after a client restart change nothing, a
 * tombstone deletes, an invalid record leaves the calendar as it was, waits end at the position.
 */
import type { Admin, IncomingRecord, KafkaPort, TopicTailOptions } from '../kafka/port';
import { KafkaPortError, KafkaUnavailableError } from '../kafka/errors';
import { silentLogger } from '../log/logger';
import { CalendarTable } from './calendar-table';

const TOPIC = 'calendars';

function record(offset: number, name: string, value: unknown): IncomingRecord {
  return { topic: TOPIC, partition: 0, offset, timestamp: 0, key: Buffer.from(name), value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), headers: {} };
}

function scriptedPort(endOffset: () => number | Error): { port: KafkaPort; deliver: (records: IncomingRecord[], nextOffset?: number) => Promise<void> } {
  let tail: TopicTailOptions | undefined;
  const admin = { connect: async () => undefined, close: async () => undefined, endOffsets: async () => {
      const end = endOffset();
      if (end instanceof Error) throw end;
      return [{ partition: 0, offset: end }];
    } } as unknown as Admin;
  const port = {
    createAdmin: () => admin,
    tailTopic: (options: TopicTailOptions) => {
      tail = options;
      return { start: async () => undefined, stop: async () => undefined };
    },
  } as unknown as KafkaPort;
  const deliver = async (records: IncomingRecord[], nextOffset?: number): Promise<void> => {
    if (!tail) throw new Error('the table has not started');
    await tail.onRecords(records, { partition: 0, nextOffset: nextOffset ?? (records[records.length - 1]?.offset ?? -1) + 1 });
  };
  return { port, deliver };
}

test('records read again after a restart of the reader change nothing; tombstones delete; invalid records are ignored', async () => {
  const { port, deliver } = scriptedPort(() => 0);
  const changes: string[][] = [];
  const table = new CalendarTable({ port, topic: TOPIC, logger: silentLogger, onChange: (names) => changes.push(names) });
  await table.start(1_000);
  await deliver([record(0, 'a', { dates: ['2026-12-25'] }), record(1, 'b', { weekdays: ['SUN'] })]);
  await deliver([record(2, 'a', { dates: ['2026-02-30'] }), record(3, 'b', null), record(4, 'c', 'not json')]);
  expect(table.list()).toEqual([{ name: 'a', dates: ['2026-12-25'] }]);
  expect(changes).toEqual([['a', 'b'], ['b']]);
  // The reader restarted and delivers from the beginning: nothing changes, nothing is reported.
  await deliver([record(0, 'a', { dates: ['2026-01-01'] }), record(1, 'b', { weekdays: ['SUN'] }), record(2, 'a', null)]);
  expect(table.list()).toEqual([{ name: 'a', dates: ['2026-12-25'] }]);
  expect(changes).toHaveLength(2);
  await table.stop();
});

test('a wait ends when the position reaches its offset, also past records that are transaction markers', async () => {
  let end = 0;
  const { port, deliver } = scriptedPort(() => end);
  const table = new CalendarTable({ port, topic: TOPIC, logger: silentLogger });
  await table.start(1_000);
  end = 3;
  const caughtUp = table.caughtUp(5_000);
  let done = false;
  void caughtUp.then(() => (done = true));
  await deliver([record(0, 'a', { dates: ['2026-12-25'] }), record(1, 'b', { dates: ['2026-12-26'] })]);
  await new Promise((resolve) => setImmediate(resolve));
  expect(done).toBe(false);
  // Offset 2 is a commit marker: no record, only the position moves.
  await deliver([], 3);
  await caughtUp;
  expect(table.size).toBe(2);
  await expect(table.reached(0, 10, 50)).rejects.toThrow('calendars: offset 10 of calendars-0 not read within 50 ms');
  await table.stop();
});

test('a start asks for the end again while the cluster refuses for now (a topic another node has just created has no leader yet), but not past a permanent refusal', async () => {
  const answers: (number | Error)[] = [new KafkaUnavailableError('not the leader for that topic-partition'), new KafkaUnavailableError('not the leader for that topic-partition'), 0];
  const { port } = scriptedPort(() => answers.shift() ?? 0);
  const table = new CalendarTable({ port, topic: TOPIC, logger: silentLogger });
  await table.start(5_000);
  expect(answers).toEqual([]);
  await table.stop();

  const refused = new CalendarTable({ port: scriptedPort(() => new KafkaPortError('topic authorization failed', false)).port, topic: TOPIC, logger: silentLogger });
  await expect(refused.start(5_000)).rejects.toThrow('topic authorization failed');
  await refused.stop();
});
