/** One contract, run against every database the store can sit on. */
import { ClassicLevel } from 'classic-level';
import { MemoryLevel } from 'memory-level';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScheduleDefinition } from '../domain/definition';
import { MEMORY_LEVEL } from '../domain/time-buckets';
import type { ScheduleState } from '../domain/schedule-state';
import { ScheduleStore, type LevelDatabase } from './schedule-store';

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 0, 10, 12);

function state(name: string, nextDueAt: number | null, extra: Partial<ScheduleState> = {}): ScheduleState {
  const definition: ScheduleDefinition = {
    id: `h/${name}`, host: 'h', name, action: 'INSERT', timing: { kind: 'frequency', periodMs: 1_000 }, topic: 't', headers: {}, data: null, misfire: 'fire-once',
  };
  return { definition, definedAt: 0, sourceOffset: 0, nextDueAt, fired: 0, missed: 0, lastScheduledAt: null, lastFiredAt: null, ...extra };
}

const databases: [string, () => { db: LevelDatabase; cleanup: () => void }][] = [
  ['memory-level', () => ({ db: new MemoryLevel<string, string>() as LevelDatabase, cleanup: () => undefined })],
  [
    'classic-level (LevelDB)',
    () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'punctual-store-'));
      return { db: new ClassicLevel<string, string>(dir) as LevelDatabase, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
];

describe.each(databases)('ScheduleStore on %s', (_name, create) => {
  let store: ScheduleStore;
  let db: LevelDatabase;
  let cleanup: () => void;

  beforeEach(async () => {
    const created = create();
    cleanup = created.cleanup;
    db = created.db;
    store = new ScheduleStore(created.db);
    await store.open();
  });

  afterEach(async () => {
    await store.close();
    cleanup();
  });

  test('states are written and read back; deletes remove them', async () => {
    await store.apply({ puts: [state('a', NOW + HOUR), state('b', null)], deletes: [] }, NOW);
    expect(await store.get('h/a')).toEqual(state('a', NOW + HOUR));
    expect(store.scheduleCount()).toBe(2);
    await store.apply({ puts: [], deletes: ['h/a'] }, NOW);
    expect(await store.get('h/a')).toBeUndefined();
    expect(store.occupancy()).toEqual([0, 0, 0, 0, 0]);
  });

  test('each next occurrence lands in the bucket level that fits its distance; near ones enter memory', async () => {
    const entered = await store.apply(
      { puts: [state('day', NOW + 3 * DAY), state('hour', NOW + 5 * HOUR), state('minute', NOW + 600 * SECOND), state('second', NOW + 30 * SECOND), state('now', NOW + 200)], deletes: [] },
      NOW,
    );
    expect(store.occupancy()).toEqual([1, 1, 1, 1, 1]);
    expect(entered).toEqual([{ id: 'h/now', dueAt: NOW + 200 }]);
    expect(await store.memoryEntries()).toEqual([{ id: 'h/now', dueAt: NOW + 200 }]);
  });

  test('promote() moves entries level by level and hands over those that reach memory', async () => {
    const dueAt = NOW + 2 * HOUR + 30 * SECOND;
    await store.apply({ puts: [state('a', dueAt)], deletes: [] }, NOW);
    expect(store.occupancy()).toEqual([0, 1, 0, 0, 0]);
    expect(await store.promote(NOW)).toEqual([]);

    const opens = await store.nextOpenTime();
    expect(opens).toBe(NOW + HOUR);
    expect(await store.promote(opens ?? 0)).toEqual([]);
    expect(store.occupancy()).toEqual([0, 0, 1, 0, 0]);

    expect(await store.promote(dueAt - 1_500)).toEqual([]);
    expect(store.occupancy()).toEqual([0, 0, 0, 1, 0]);
    // Its second opens one second ahead: from then on it is in memory.
    expect(await store.promote(dueAt - 1_000)).toEqual([{ id: 'h/a', dueAt }]);
    expect(store.occupancy()).toEqual([0, 0, 0, 0, 1]);
    expect(await store.nextOpenTime()).toBeUndefined();
  });

  test('replacing a state moves its index entry; the old one is gone', async () => {
    await store.apply({ puts: [state('a', NOW + 3 * DAY)], deletes: [] }, NOW);
    await store.apply({ puts: [state('a', NOW + 100, { fired: 1 })], deletes: [] }, NOW);
    expect(store.occupancy()).toEqual([0, 0, 0, 0, 1]);
    expect((await store.get('h/a'))?.fired).toBe(1);
  });

  test('the checkpoint is written with the batch; wipe() removes everything', async () => {
    const checkpoint = { changelogTopic: 'c', changelogPartition: 2, changelogOffset: 41 };
    await store.apply({ puts: [state('a', NOW + HOUR)], deletes: [], checkpoint }, NOW);
    expect(await store.checkpoint()).toEqual(checkpoint);
    await store.wipe();
    expect(await store.checkpoint()).toBeUndefined();
    expect(store.scheduleCount()).toBe(0);
    expect(store.occupancy()).toEqual([0, 0, 0, 0, 0]);
  });

  test('the memory level only ever holds occurrences of the next two seconds', async () => {
    const puts = Array.from({ length: 200 }, (_, i) => state(`s${i}`, NOW + i * 37 * SECOND));
    await store.apply({ puts, deletes: [] }, NOW);
    const inMemory = await store.memoryEntries();
    expect(inMemory.every((entry) => entry.dueAt - NOW <= 2 * SECOND)).toBe(true);
    const occupancy = store.occupancy();
    expect(occupancy.reduce((a, b) => a + b, 0)).toBe(200);
    expect(occupancy[MEMORY_LEVEL]).toBe(1);
  });

  test('the kept counts always equal a full scan, across writes, deletes, promotions and a reopen', async () => {
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 16807) % 2147483647) % n;
    let now = NOW;
    for (let round = 0; round < 30; round++) {
      const puts = Array.from({ length: 20 }, () => state(`s${random(60)}`, random(5) === 0 ? null : now + random(3 * DAY)));
      const deletes = Array.from({ length: 5 }, () => `h/s${random(60)}`).filter((id) => !puts.some((p) => p.definition.id === id));
      await store.apply({ puts, deletes }, now);
      now += random(6 * HOUR);
      await store.promote(now);
      expect({ schedules: store.scheduleCount(), levels: store.occupancy() }).toEqual(await store.countByScan());
    }
    await store.close();
    await store.open();
    expect({ schedules: store.scheduleCount(), levels: store.occupancy() }).toEqual(await store.countByScan());
  });

  test('the next opening it remembers is never later than the index says, also when a read of it overlaps a write', async () => {
    // A second store over the same database remembers nothing: its answer is a fresh read of the index.
    const fresh = (): Promise<number | undefined> => new ScheduleStore(db).nextOpenTime();
    let seed = 11;
    const random = (n: number): number => (seed = (seed * 16807) % 2147483647) % n;
    let now = NOW;
    for (let round = 0; round < 40; round++) {
      const puts = Array.from({ length: 5 }, () => state(`s${random(30)}`, now + random(2 * DAY)));
      // The read starts before the write, or while it is under way.
      const readFirst = round % 2 === 0;
      const before = readFirst ? store.nextOpenTime() : undefined;
      const writing = store.apply({ puts, deletes: [] }, now);
      const during = readFirst ? undefined : store.nextOpenTime();
      await Promise.all([before, writing, during]);
      const truth = await fresh();
      const remembered = await store.nextOpenTime();
      if (truth === undefined) expect(remembered).toBeUndefined();
      else expect(remembered ?? Infinity).toBeLessThanOrEqual(truth);
      now += random(3 * HOUR);
      await store.promote(now);
    }
  });

  test('a read of the next opening made while a write is under way is not remembered without that write', async () => {
    const original = db.batch.bind(db) as (operations: unknown) => Promise<void>;
    let release = (): void => undefined;
    let entered = (): void => undefined;
    const writeStarted = new Promise<void>((resolve) => (entered = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    (db as unknown as { batch: (operations: unknown) => Promise<void> }).batch = async (operations) => {
      entered();
      await gate;
      return original(operations);
    };
    const dueAt = NOW + 2 * HOUR;
    const writing = store.apply({ puts: [state('a', dueAt)], deletes: [] }, NOW);
    await writeStarted;
    const reading = store.nextOpenTime();
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await Promise.all([writing, reading]);
    expect(await store.nextOpenTime()).toBe(NOW + HOUR);
  });
});
