/**
 * A node stops and a new one takes over the same partitions with pending schedules: nothing is
 * lost and nothing fires twice, both when the data directory is kept (checkpoint path) and when it
 * is deleted (full restore from the changelog).
 */
import { rmSync } from 'node:fs';
import type { RestoreResult } from '../../src/cluster/restore';
import type { PunctualConfig } from '../../src/config/config';
import type { KafkaPort } from '../../src/kafka/port';
import { fireReport, gaps, isAscending } from '../helpers/fire-verifier';
import { readCommittedUntil, testPort, uniqueName } from '../helpers/kafka';
import { definitionRecord, startNode, testConfig } from '../helpers/punctual';
import { sleep } from '../../src/util/sleep';

jest.setTimeout(120_000);

const PERIOD = 200;
const SCHEDULES = 20;

/** Runs the scenario and returns the second node's restore results, one per partition. */
async function runRestart(port: KafkaPort, config: PunctualConfig, betweenRuns: () => void): Promise<(RestoreResult | undefined)[]> {
  const topic = uniqueName('out');
  const first = await startNode(port, config);
  const producer = port.createProducer();
  await producer.connect();
  const oneShotAt = Date.now() + 4_000;
  await producer.send([
    ...Array.from({ length: SCHEDULES }, (_, i) =>
      definitionRecord(config.topics.definitions, { host: 'rs', name: `f${i}`, action: 'INSERT', frequency: { timeUnit: 'MILLISECONDS', time: PERIOD }, topic }),
    ),
    ...Array.from({ length: SCHEDULES }, (_, i) =>
      definitionRecord(config.topics.definitions, { host: 'rs', name: `once${i}`, action: 'INSERT', at: new Date(oneShotAt).toISOString(), topic }),
    ),
  ]);
  await producer.close();
  await sleep(1_500);
  await first.stop();
  betweenRuns();

  const second = await startNode(port, config);
  const stats = [...second.taskStats().values()];
  await sleep(oneShotAt - Date.now() + 1_500);
  const stoppedAt = Date.now();
  await second.stop();

  const records = await readCommittedUntil(port, topic, (seen) => seen.filter((r) => r.headers['punctual-id']?.startsWith('rs/once')).length >= SCHEDULES);
  const report = fireReport(records);
  expect(report.duplicates).toEqual([]);
  for (let i = 0; i < SCHEDULES; i++) {
    const times = report.byId.get(`rs/f${i}`) ?? [];
    expect(isAscending(times)).toBe(true);
    expect(gaps(times, PERIOD)).toEqual([]);
    // It kept firing across the restart, up to when the second node stopped.
    expect(Math.max(...times)).toBeGreaterThan(stoppedAt - 1_000);
    expect(report.byId.get(`rs/once${i}`)).toEqual([oneShotAt]);
  }
  expect(stats).toHaveLength(config.topics.partitions);
  return stats.map((s) => s.restore);
}

test('restart with the data directory kept: restores from the checkpoint, no loss, no duplicates', async () => {
  const port = testPort();
  const config = testConfig();
  const restores = await runRestart(port, config, () => undefined);
  // Every store was trusted: nothing was wiped and restores started from the checkpoints.
  for (const restore of restores) expect(restore).toMatchObject({ wiped: false });
  expect(restores.some((restore) => (restore?.from ?? 0) > 0)).toBe(true);
});

test('restart with the data directory deleted: full restore from the changelog, no loss, no duplicates', async () => {
  const port = testPort();
  const config = testConfig();
  const restores = await runRestart(port, config, () => rmSync(config.dataDir, { recursive: true, force: true }));
  for (const restore of restores) expect(restore).toMatchObject({ wiped: true, from: 0 });
  expect(restores.some((restore) => (restore?.records ?? 0) > 0)).toBe(true);
});

test('occurrences due while no node owned the partitions follow each misfire policy and are counted', async () => {
  const port = testPort();
  // One partition: the three schedules share one task, one restore and one first commit.
  const config = testConfig({ PUNCTUAL_MISFIRE_THRESHOLD_MS: '500', PUNCTUAL_PARTITIONS: '1' });
  const topic = uniqueName('out');
  const first = await startNode(port, config);
  const producer = port.createProducer();
  await producer.connect();
  await producer.send(
    (['fire-all', 'fire-once', 'skip'] as const).map((misfire) =>
      definitionRecord(config.topics.definitions, { host: 'mf', name: misfire, action: 'INSERT', frequency: { timeUnit: 'MILLISECONDS', time: PERIOD }, misfire, topic }),
    ),
  );
  await producer.close();
  await sleep(1_500);
  await first.stop();
  await sleep(3_000);
  const second = await startNode(port, config);
  const upAt = Date.now();
  await sleep(1_500);
  const missed = [...second.taskStats().values()].reduce((sum, stats) => sum + stats.missed, 0);
  await second.stop();

  const records = await readCommittedUntil(port, topic, (seen) => seen.some((r) => Number(r.headers['punctual-scheduled-at']) > upAt + 500));
  const times = fireReport(records).byId;
  // skip's one long gap is the outage: lastBefore was the last fire of the first node, resumeAt the
  // first occurrence within the threshold when the second node fired.
  const skip = times.get('mf/skip') ?? [];
  const outage = gaps(skip, PERIOD);
  expect(outage.length).toBeGreaterThan(8);
  const firstMissed = outage[0] ?? 0;
  const resumeAt = (outage[outage.length - 1] ?? 0) + PERIOD;
  const within = (id: string): number[] => (times.get(id) ?? []).filter((t) => t >= firstMissed && t < resumeAt);
  // fire-all: every missed occurrence, late; fire-once: only the latest; skip: none.
  expect(within('mf/fire-all')).toEqual(outage);
  expect(within('mf/fire-once')).toEqual([resumeAt - PERIOD]);
  expect(gaps(times.get('mf/fire-all') ?? [], PERIOD)).toEqual([]);
  // Everything not emitted was counted: all of skip's, all but one of fire-once's.
  expect(missed).toBe(2 * outage.length - 1);
});
