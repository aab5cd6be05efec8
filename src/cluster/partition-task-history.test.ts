/**
 * A partition task recording its schedules' outcomes from the status partition: merged per
 * occurrence, committed with the status offset, rebuilt after a failed transaction, restored by a
 * new owner, and bounded by the retention (history limit 3 in the harness).
 */
import type { StatusValue } from '../domain/execution-status';
import type { IncomingRecord } from '../kafka/port';
import { afterRetryBackoff, settle, START, started } from '../../test/helpers/partition-task-fixture';

const STATUS = { topic: 'status', partition: 0 };

function status(offset: number, value: Partial<Omit<StatusValue, 'scheduledAt'>> & { scheduledAt: number }): IncomingRecord {
  const { scheduledAt, ...rest } = value;
  const full: StatusValue = {
    fireId: `h/a@${scheduledAt}`,
    id: 'h/a',
    occurrence: 1,
    attempt: 1,
    status: 'succeeded',
    capability: 'jobs',
    executorId: 'e1',
    startedAt: new Date(scheduledAt + 10).toISOString(),
    finishedAt: new Date(scheduledAt + 20).toISOString(),
    durationMs: 10,
    ...rest,
    scheduledAt: new Date(scheduledAt).toISOString(),
  };
  return { ...STATUS, offset, timestamp: START, key: Buffer.from(full.id), value: Buffer.from(JSON.stringify(full)), headers: {} };
}

const changelogKeys = (records: { topic: string; key: string | null }[]): (string | null)[] => records.filter((r) => r.topic === 'changelog').map((r) => r.key);

test('status records become the occurrence outcome, readable at once, and commit with the status offset after one commit interval', async () => {
  const { task, clock, kafka } = await started();
  await task.ingestStatus([status(0, { scheduledAt: START, status: 'started' }), status(1, { scheduledAt: START, result: { ok: true } })]);
  expect((await task.outcomes('h/a', 10)).map((o) => [o.status, o.result])).toEqual([['succeeded', { ok: true }]]);
  await settle();
  expect(kafka.committed).toEqual([]);

  clock.advance(100);
  await settle();
  expect(kafka.committed).toHaveLength(1);
  // One outcome record for both status records, and where the status partition stands.
  expect(changelogKeys(kafka.committed[0]?.records ?? [])).toEqual([`h!h/a!${String(START).padStart(16, '0')}`, '__punctual_status_position__']);
  expect(kafka.committed[0]?.offsets).toEqual([{ ...STATUS, offset: 2 }]);
  expect(await task.outcomes('h/a', 10)).toEqual([expect.objectContaining({ fireId: `h/a@${START}`, status: 'succeeded', attempts: [expect.objectContaining({ attempt: 1, result: 'succeeded' })] })]);
});

test('a record that is not a status value is skipped with its reason, and the records behind it are recorded', async () => {
  const { task, clock, kafka } = await started();
  const bad = { ...status(0, { scheduledAt: START }), value: Buffer.from('{"fireId":1}') };
  await task.ingestStatus([bad, status(1, { scheduledAt: START })]);
  clock.advance(100);
  await settle();
  expect(kafka.committed[0]?.offsets).toEqual([{ ...STATUS, offset: 2 }]);
  expect((await task.outcomes('h/a', 10)).map((o) => o.status)).toEqual(['succeeded']);
});

test('a transaction that aborted is rebuilt: its status records are applied again once, with no attempt twice', async () => {
  const { task, clock, kafka } = await started();
  await task.ingestStatus([status(0, { scheduledAt: START, attempt: 1, status: 'retrying', error: { type: 'Error', message: 'boom' }, nextAttemptAt: new Date(START + 1_000).toISOString() })]);
  kafka.failNextCommit = 'aborted';
  clock.advance(100);
  await afterRetryBackoff(clock);
  await task.ingestStatus([status(1, { scheduledAt: START, attempt: 2 })]);
  clock.advance(100);
  await settle();
  const outcome = (await task.outcomes('h/a', 10))[0];
  expect(outcome?.attempts.map((a) => [a.attempt, a.result])).toEqual([
    [1, 'failed'],
    [2, 'succeeded'],
  ]);
  expect(kafka.committed.flatMap((t) => t.offsets).filter((o) => o.topic === 'status').at(-1)).toEqual({ ...STATUS, offset: 2 });
});

test('a new owner restores the history from the changelog and resumes at the recorded status position', async () => {
  const { task, clock, kafka, newTask } = await started();
  await task.ingestStatus([status(0, { scheduledAt: START, status: 'started' })]);
  clock.advance(100);
  await settle();
  await task.close();
  const next = newTask();
  await next.start();
  expect((await next.outcomes('h/a', 10)).map((o) => o.status)).toEqual(['started']);
  const before = kafka.committed.length;
  // The consumer starts again at the group's offset (0 here, stale): offset 0 is not applied again.
  await next.ingestStatus([status(0, { scheduledAt: START, status: 'started', executorId: 'other' }), status(1, { scheduledAt: START })]);
  clock.advance(100);
  await settle();
  expect(kafka.committed.length).toBe(before + 1);
  const outcome = (await next.outcomes('h/a', 10))[0];
  expect(outcome?.status).toBe('succeeded');
  expect(outcome?.attempts).toEqual([expect.objectContaining({ executorId: 'e1', result: 'succeeded' })]);
  await next.close();
});

test('the retention sweep keeps the latest occurrences of each schedule, deletes the rest through the changelog', async () => {
  const { task, clock, kafka } = await started();
  const dues = [0, 1, 2, 3, 4].map((i) => START + i * 1_000);
  await task.ingestStatus(dues.map((scheduledAt, offset) => status(offset, { scheduledAt, fireId: `h/a@${scheduledAt}`, occurrence: offset + 1 })));
  await task.ingestStatus([status(5, { scheduledAt: START, id: 'h/b', fireId: `h/b@${START}` })]);
  clock.advance(100);
  await settle();
  expect((await task.outcomes('h/a', 10)).map((o) => o.occurrence)).toEqual([5, 4, 3, 2, 1]);
  kafka.committed.length = 0;

  // The sweep runs every 10 minutes.
  clock.advance(10 * 60_000);
  await settle();
  clock.advance(1);
  await settle();
  expect((await task.outcomes('h/a', 10)).map((o) => o.occurrence)).toEqual([5, 4, 3]);
  expect((await task.outcomes('h/b', 10)).map((o) => o.id)).toEqual(['h/b']);
  const deletions = kafka.committed.flatMap((t) => t.records).filter((r) => r.topic === 'changelog' && r.value === null);
  expect(deletions.map((r) => r.key)).toEqual(dues.slice(0, 2).map((due) => `h!h/a!${String(due).padStart(16, '0')}`));
});

test('the retention sweep deletes outcomes due longer ago than the retention, also of schedules that ended', async () => {
  const { task, clock } = await started();
  await task.ingestStatus([status(0, { scheduledAt: START })]);
  clock.advance(100);
  await settle();
  // Seven days later (the harness' retention) the next sweep finds it aged out.
  for (let i = 0; i < 7 * 24 * 6 + 1; i++) {
    clock.advance(10 * 60_000);
    await settle();
  }
  clock.advance(100);
  await settle();
  expect(await task.outcomes('h/a', 10)).toEqual([]);
});
