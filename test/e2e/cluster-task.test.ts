/**
 * clusterTask against the real broker and an in-process node: three instances of a service upsert
 * the same periodic task; each occurrence runs on exactly one of them, and when the instance that
 * runs them leaves, the next occurrences run on another, none skipped and none twice.
 */
import type { PunctualNode } from '../../src/cluster/punctual-node';
import type { PunctualConfig } from '../../src/config/config';
import { clusterTask, type ClusterTask, type Fire } from '../../src/executor';
import type { KafkaPort } from '../../src/kafka/port';
import { silentLogger } from '../../src/log/logger';
import { sleep } from '../../src/util/sleep';
import { waitFor } from '../../src/util/wait-for';
import { testBrokers, testPort, uniqueName } from '../helpers/kafka';
import { startNode, testConfig } from '../helpers/punctual';

jest.setTimeout(120_000);

const PERIOD_MS = 400;

let port: KafkaPort;
let config: PunctualConfig;
let node: PunctualNode;

beforeAll(async () => {
  port = testPort();
  config = testConfig();
  node = await startNode(port, config);
});

afterAll(async () => {
  await node.stop();
});

test('each occurrence runs on exactly one of three instances; when the running one leaves, another goes on, none skipped', async () => {
  const name = uniqueName('invoice');
  const runs: { instance: number; fire: Fire }[] = [];
  const start = (instance: number): Promise<ClusterTask> =>
    clusterTask({
      brokers: testBrokers(),
      service: 'billing',
      name,
      every: PERIOD_MS,
      run: async (fire) => {
        runs.push({ instance, fire });
        await sleep(50);
        return null;
      },
      definitionsTopic: config.topics.definitions,
      statusTopic: config.topics.status,
      deadLetterTopic: config.topics.executionsDlq,
      sessionTimeoutMs: 6_000,
      logger: silentLogger,
    });
  const instances = await Promise.all([0, 1, 2].map(start));
  try {
    await waitFor('eight occurrences', () => runs.length >= 8, { timeoutMs: 60_000 });
    const active = runs.at(-1)?.instance ?? 0;
    await instances[active]?.stop();
    const before = runs.length;
    await waitFor('eight more occurrences', () => runs.length >= before + 8, { timeoutMs: 60_000 });
    const after = runs.slice(before);
    expect(after.every((run) => run.instance !== active)).toBe(true);

    const occurrences = runs.map((run) => run.fire.occurrence);
    // Every upsert after the first was the same definition: one run of occurrences, in order, once each.
    expect(new Set(runs.map((run) => run.fire.fireId)).size).toBe(runs.length);
    expect(occurrences).toEqual(Array.from({ length: runs.length }, (_, i) => (occurrences[0] ?? 1) + i));
    expect(runs.map((run) => run.fire.scheduledAt.getTime() - (runs[0]?.fire.scheduledAt.getTime() ?? 0))).toEqual(runs.map((_, i) => i * PERIOD_MS));
    expect(runs[0]?.fire.id).toBe(`billing/${name}`);
  } finally {
    await Promise.all(instances.map((instance) => instance.stop()));
  }
});

test('a task with neither or both of every and cron, or a bad period, is refused naming the field', async () => {
  const base = { brokers: testBrokers(), service: 'billing', name: 'x', run: async () => null };
  await expect(clusterTask(base)).rejects.toThrow('clusterTask billing/x: exactly one of every and cron is needed, got neither');
  await expect(clusterTask({ ...base, every: 1_000, cron: '* * * * *' })).rejects.toThrow('got both');
  await expect(clusterTask({ ...base, every: 0.5 })).rejects.toThrow('every must be a whole number of milliseconds of at least 1, got 0.5');
  await expect(clusterTask({ ...base, cron: 'not a cron' })).rejects.toThrow('clusterTask billing/x: cron');
});
