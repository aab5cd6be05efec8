/**
 * PartitionTask's ingest and its shares of the node's transaction loop, on the harness of
 * test/helpers/partition-task-fixture.ts (a manual clock, memory-level, a fake of the Kafka port).
 */
import type { MemoryLevel } from 'memory-level';
import type { Admin } from '../kafka/port';
import { KafkaUnavailableError, RequestRefusedError } from '../kafka/errors';
import { afterRetryBackoff, at, definition, fireIds, INPUT, record, settle, START, started } from '../../test/helpers/partition-task-fixture';


test('ingest commits changelog and offsets after one commit interval; the fire commits at its due time', async () => {
  const { task, clock, kafka } = await started();
  await task.ingest([record(0, 'h/a', at('a', 1_000))]);
  await settle();
  expect(kafka.committed).toEqual([]);

  clock.advance(100);
  await settle();
  expect(kafka.committed).toHaveLength(1);
  expect(kafka.committed[0]?.records.map((r) => [r.topic, r.key])).toEqual([
    ['changelog', 'h/a'],
    ['changelog', '__punctual_input_position__'],
  ]);
  expect(kafka.committed[0]?.records[1]?.value).toBe(JSON.stringify({ inputOffset: 1 }));
  expect(kafka.committed[0]?.offsets).toEqual([{ ...INPUT, offset: 1 }]);

  clock.advance(899);
  await settle();
  expect(kafka.committed).toHaveLength(1);

  clock.advance(1);
  await settle();
  expect(kafka.committed).toHaveLength(2);
  expect(fireIds(kafka.committed[1])).toEqual([`h/a@${START + 1_000}`]);
  // The finished one-shot leaves a tombstone in the changelog and the store.
  expect(kafka.committed[1]?.records.find((r) => r.topic === 'changelog')).toMatchObject({ key: 'h/a', value: null });
  expect(task.scheduleCount()).toBe(0);
});

test('a frequency schedule fires every period, each occurrence in its own commit, numbered from 1', async () => {
  const { task, clock, kafka } = await started();
  await task.ingest([record(0, 'h/f', definition('f', { frequency: { timeUnit: 'SECONDS', time: 1 }, start: new Date(START + 1_000).toISOString() }))]);
  // The ingest commits at its deadline; each fire then arms the timer of the next one.
  clock.advance(100);
  await settle();
  for (let i = 0; i < 3; i++) {
    clock.advance(1_000);
    await settle();
  }
  const events = kafka.committed.flatMap((t) => t.records.filter((r) => r.topic === 'out'));
  expect(events.map((e) => e.headers?.['punctual-occurrence'])).toEqual(['1', '2', '3']);
  expect(events.map((e) => Number(e.headers?.['punctual-scheduled-at']) - START)).toEqual([1_000, 2_000, 3_000]);
  expect(task.scheduleCount()).toBe(1);
});

test('a DELETE applied before the due time prevents the fire', async () => {
  const { task, clock, kafka } = await started();
  await task.ingest([record(0, 'h/a', at('a', 500)), record(1, 'h/a', null)]);
  clock.advance(1_000);
  await settle();
  expect(kafka.committed.flatMap(fireIds)).toEqual([]);
  expect(kafka.committed.at(-1)?.offsets).toEqual([{ ...INPUT, offset: 2 }]);
});

test('an invalid definition is dead-lettered with the next commit, and records re-read after a rebalance are skipped', async () => {
  const { task, clock, kafka } = await started();
  await task.ingest([record(0, 'h/bad', '{')]);
  clock.advance(100);
  await settle();
  expect(kafka.committed).toHaveLength(1);
  expect(kafka.committed[0]?.records[0]?.topic).toBe('dlq');
  expect(kafka.committed[0]?.records[0]?.headers?.['punctual-dlq-reason']).toMatch(/^\(body\): is not JSON/);

  await task.ingest([record(0, 'h/bad', '{')]);
  clock.advance(100);
  await settle();
  expect(kafka.committed).toHaveLength(1);
});

test('a schedule due in two days waits in the day bucket, not in memory, and still fires on time', async () => {
  const { task, clock, kafka } = await started();
  const twoDays = 2 * 86_400_000;
  await task.ingest([record(0, 'h/far', at('far', twoDays))]);
  clock.advance(100);
  await settle();
  expect(task.occupancy()).toEqual([1, 0, 0, 0, 0]);
  clock.advance(twoDays - 100);
  await settle();
  expect(kafka.committed.flatMap(fireIds)).toEqual([`h/far@${START + twoDays}`]);
});


test('a commit whose answer was lost is not fired again: the task rebuilds from the changelog, where it committed', async () => {
  const { task, clock, kafka } = await started();
  await task.ingest([record(0, 'h/a', at('a', 1_000))]);
  clock.advance(100);
  await settle();
  kafka.failNextCommit = 'committed';
  clock.advance(900);
  await afterRetryBackoff(clock);
  clock.advance(5_000);
  await settle();
  expect(kafka.committed.flatMap(fireIds)).toEqual([`h/a@${START + 1_000}`]);
  // Rebuilt: the barrier of the new producer, and nothing fired since.
  expect(kafka.committed.at(-1)?.records.map((r) => r.key)).toEqual(['__punctual_restore_barrier__']);
  expect(task.scheduleCount()).toBe(0);
});

test('a commit that aborted fires again after the rebuild, and the definitions it held are applied again', async () => {
  const { task, clock, kafka } = await started();
  // Ingest and the fire go into one transaction, which aborts.
  await task.ingest([record(0, 'h/a', at('a', 50)), record(1, 'h/bad', '{')]);
  kafka.failNextCommit = 'aborted';
  clock.advance(50);
  await afterRetryBackoff(clock);
  await settle();
  const fired = kafka.committed.filter((t) => fireIds(t).length > 0);
  expect(fired.map(fireIds)).toEqual([[`h/a@${START + 50}`]]);
  // The transaction that fired also carried the re-applied definition's offset and its dead letter.
  const deadLetters = kafka.committed.flatMap((t) => t.records).filter((r) => r.topic === 'dlq');
  expect(deadLetters).toHaveLength(1);
  // Before it, the rebuild's barrier committed 0: nothing was committed for the partition yet.
  expect(kafka.committed.flatMap((t) => t.offsets)).toEqual([{ ...INPUT, offset: 0 }, { ...INPUT, offset: 2 }]);
});

test('a held loop begins no transaction; resumed, it fires what came due meanwhile', async () => {
  const { task, clock, kafka, transactions } = await started();
  await task.ingest([record(0, 'h/a', at('a', 1_000))]);
  clock.advance(100);
  await settle();
  expect(kafka.committed).toHaveLength(1);
  transactions.hold();
  clock.advance(2_000);
  await settle();
  expect(kafka.committed).toHaveLength(1);
  transactions.resume();
  await settle();
  expect(kafka.committed.flatMap(fireIds)).toEqual([`h/a@${START + 1_000}`]);
});

test('a new owner resumes at the input position the changelog recorded: records before it are not applied again', async () => {
  const { task, clock, kafka, newTask } = await started();
  await task.ingest([record(0, 'h/a', at('a', 50))]);
  clock.advance(100);
  await settle();
  expect(kafka.committed.flatMap(fireIds)).toEqual([`h/a@${START + 50}`]);
  await task.close();
  // The new owner's consumer starts before the recorded position (a stale committed offset): the
  // one-shot that already fired must not be defined, and fired, again.
  const next = newTask();
  await next.start();
  await next.ingest([record(0, 'h/a', at('a', 50))]);
  clock.advance(1_000);
  await settle();
  expect(kafka.committed.flatMap(fireIds)).toEqual([`h/a@${START + 50}`]);
  await next.close();
});

/** Makes `method` of the database wait, once it was called, until the returned release is called. */
function gate<K extends 'batch' | 'values'>(db: MemoryLevel<string, string>, method: K): { entered: Promise<void>; release: () => void } {
  let release = (): void => undefined;
  let enter = (): void => undefined;
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const opened = new Promise<void>((resolve) => (release = resolve));
  const target = db as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = target[method]!.bind(db);
  target[method] = (...args: unknown[]) => {
    target[method] = original;
    enter();
    if (method === 'batch') return opened.then(() => original(...args));
    // The read starts (and takes its snapshot) now; its values come only once released.
    const values = original(...args) as AsyncIterable<string>;
    return (async function* () {
      await opened;
      yield* values;
    })();
  };
  return { entered, release };
}

test('a list that reads the store while a commit ends still finds the schedules the commit wrote', async () => {
  const { task, clock, db } = await started();
  await task.ingest([record(0, 'h/a', at('a', 60_000)), record(1, 'h/b', at('b', 60_000))]);
  const write = gate(db(), 'batch');
  clock.advance(100);
  await write.entered;
  // The list snapshots the overlay and starts reading a store that does not hold the states yet.
  const read = gate(db(), 'values');
  const listing = task.list('h/', undefined, 10);
  await read.entered;
  // The commit writes the store and clears the overlay while the list's read is under way.
  write.release();
  await settle();
  read.release();
  expect((await listing).map((state) => state.definition.id)).toEqual(['h/a', 'h/b']);
});

test('a filtered list reads on until the page is full: two tenants whose schedules interleave', async () => {
  const { task, clock } = await started();
  // Hosts t00..t23 in id order; tenant "even" owns t00, t02, ..., tenant "odd" the others.
  const hosts = Array.from({ length: 24 }, (_, i) => `t${String(i).padStart(2, '0')}`);
  await task.ingest(hosts.map((host, i) => record(i, `${host}/s`, { ...(at('s', 60_000) as object), host })));
  clock.advance(100);
  await settle();
  for (const parity of [0, 1]) {
    const owns = (state: { definition: { host: string } }): boolean => Number(state.definition.host.slice(1)) % 2 === parity;
    const pages: string[][] = [];
    let after: string | undefined;
    do {
      const page = await task.list('', after, 3, owns);
      pages.push(page.map((state) => state.definition.id));
      after = page.length === 3 ? page.at(-1)?.definition.id : undefined;
    } while (after !== undefined);
    expect(pages).toEqual([0, 1, 2, 3].map((p) => [0, 1, 2].map((k) => `${hosts[2 * (3 * p + k) + parity]}/s`)).concat([[]]));
  }
});

test('a target topic the cluster cannot create right now makes ingest wait and try again, while fires go on; nothing is dead-lettered', async () => {
  let failuresLeft = 2;
  const admin = {
    describeTopics: async (topics: string[]) => {
      if (topics[0] === 'new.topic' && failuresLeft-- > 0) throw new KafkaUnavailableError('describe topics failed: broker down');
      return topics.map((topic) => ({ topic, partitions: 1 }));
    },
  } as unknown as Admin;
  const { task, clock, kafka } = await started(admin);
  await task.ingest([record(0, 'h/early', at('early', 1_000))]);
  const waiting = task.ingest([record(1, 'h/late', { ...(at('late', 5_000) as object), topic: 'new.topic' })]);
  await settle();
  expect(task.waitingForTargetTopic()).toBe('new.topic');
  // The schedule already applied fires while ingest waits.
  clock.advance(100);
  await settle();
  clock.advance(900);
  await settle();
  expect(kafka.committed.flatMap(fireIds)).toEqual([`h/early@${START + 1_000}`]);
  expect(task.waitingForTargetTopic()).toBe('new.topic');
  // The second attempt came 500 ms after the first and failed; the third comes 1 s after it.
  clock.advance(1_000);
  await waiting;
  expect(task.waitingForTargetTopic()).toBeUndefined();
  clock.advance(100);
  await settle();
  clock.advance(2_900);
  await settle();
  expect(kafka.committed.flatMap((t) => t.records).filter((r) => r.topic === 'dlq')).toEqual([]);
  expect(kafka.committed.flatMap((t) => t.records).filter((r) => r.topic === 'new.topic').map((r) => r.headers?.['punctual-fire-id'])).toEqual([`h/late@${START + 5_000}`]);
});

test('a target topic the cluster refuses for good dead-letters the definition with the refusal', async () => {
  const admin = {
    describeTopics: async () => [],
    createTopics: async () => {
      throw new RequestRefusedError('create topics refused: INVALID_TOPIC_EXCEPTION: collides with a.b', 'INVALID_TOPIC_EXCEPTION');
    },
  } as unknown as Admin;
  const { task, clock, kafka } = await started(admin);
  await task.ingest([record(0, 'h/bad', { ...(at('bad', 5_000) as object), topic: 'a_b' })]);
  expect(task.waitingForTargetTopic()).toBeUndefined();
  clock.advance(100);
  await settle();
  const [dead] = kafka.committed.flatMap((t) => t.records).filter((r) => r.topic === 'dlq');
  expect(dead?.headers?.['punctual-dlq-reason']).toBe('topic: the cluster refused target topic a_b: create topics refused: INVALID_TOPIC_EXCEPTION: collides with a.b');
  expect(task.scheduleCount()).toBe(0);
});

test('a task closed while ingest waits for a target topic ends the wait at once', async () => {
  const admin = { describeTopics: async () => Promise.reject(new KafkaUnavailableError('describe topics failed: broker down')) } as unknown as Admin;
  const { task } = await started(admin);
  const waiting = task.ingest([record(0, 'h/a', at('a', 5_000))]);
  await settle();
  expect(task.waitingForTargetTopic()).toBe('out');
  await task.close();
  await expect(waiting).rejects.toThrow('closed while waiting for target topic out');
});

test('a target-topic call left unanswered counts as waiting after a second, until it is answered', async () => {
  let answer = (): void => undefined;
  const admin = {
    describeTopics: (topics: string[]) => new Promise((resolve) => (answer = () => resolve(topics.map((topic) => ({ topic, partitions: 1 }))))),
  } as unknown as Admin;
  const { task, clock } = await started(admin);
  const waiting = task.ingest([record(0, 'h/a', at('a', 5_000))]);
  await settle();
  clock.advance(999);
  expect(task.waitingForTargetTopic()).toBeUndefined();
  clock.advance(1);
  expect(task.waitingForTargetTopic()).toBe('out');
  answer();
  await waiting;
  expect(task.waitingForTargetTopic()).toBeUndefined();
});

test('an epoch refused (the coordinator timed the transaction out) makes the node register a new producer at once, and the task rebuilds and fires what the aborted transaction held', async () => {
  const { task, clock, kafka } = await started();
  await task.ingest([record(0, 'h/a', at('a', 50))]);
  const registrations = kafka.registrations;
  kafka.failNextCommit = 'epoch-refused';
  clock.advance(50);
  await afterRetryBackoff(clock);
  expect(kafka.registrations).toBe(registrations + 1);
  expect(task.lifecycle.state).toBe('running');
  expect(kafka.committed.filter((t) => fireIds(t).length > 0).map(fireIds)).toEqual([[`h/a@${START + 50}`]]);
});

test('once the group moved past the node\'s generation nothing of the partition commits, not even a barrier; back in the group, the task fires exactly once', async () => {
  const { task, clock, kafka, node } = await started();
  await task.ingest([record(0, 'h/a', at('a', 50))]);
  clock.advance(10);
  // The group rebalanced without this node hearing of it yet (a zombie).
  kafka.groupGeneration = 2;
  clock.advance(40);
  await settle();
  for (let i = 0; i < 4; i++) await afterRetryBackoff(clock);
  expect(kafka.committed).toEqual([]);
  expect(task.lifecycle.state).toBe('running');
  // The node rejoins and keeps the partition: the rebuild's barrier commits, then the fire, once.
  node.generation = { generationId: 2, memberId: 'm' };
  // The next rebuild attempt, then the fire it arms.
  await afterRetryBackoff(clock);
  await afterRetryBackoff(clock);
  expect(kafka.committed.flatMap(fireIds)).toEqual([`h/a@${START + 50}`]);
  expect(kafka.committed[0]?.records.map((r) => r.key)).toEqual(['__punctual_restore_barrier__']);
});

test('an occurrence days away is promoted bucket by bucket, day to hour to minute to second to memory, and fires on time', async () => {
  const { task, clock, kafka } = await started();
  const dueIn = 2 * 86_400_000 + 3 * 3_600_000 + 5 * 60_000 + 7_000 + 300;
  const dueAt = START + dueIn;
  await task.ingest([record(0, 'h/far', at('far', dueIn))]);
  clock.advance(100);
  await settle();
  const levels: number[] = [];
  // Steps that shrink as the due time nears: a third of what is left, at least 1 ms.
  while (clock.now() < dueAt - 1) {
    clock.advance(Math.max(1, Math.floor((dueAt - 1 - clock.now()) / 3)));
    await settle();
    const occupancy = task.occupancy();
    expect(occupancy.reduce((sum, count) => sum + count, 0)).toBe(1);
    levels.push(occupancy.findIndex((count) => count === 1));
    expect(kafka.committed.flatMap(fireIds)).toEqual([]);
  }
  // Every level in turn, coarse to fine, never back.
  expect([...new Set(levels)]).toEqual([0, 1, 2, 3, 4]);
  expect(levels).toEqual([...levels].sort((a, b) => a - b));
  clock.advance(1);
  await settle();
  expect(kafka.committed.flatMap(fireIds)).toEqual([`h/far@${dueAt}`]);
});
