/**
 * clusterTask against the real broker and an in-process node: three instances of a service upsert
 * the same periodic task; each occurrence runs on exactly one of them, and when the instance that
 * runs them leaves, the next occurrences run on another, none skipped and none twice. Then three
 * instance processes (src/dev/test-cluster-task.ts), one killed with SIGKILL mid-run: the occurrence
 * it ran runs again on another, and every occurrence has exactly one terminal outcome.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PunctualNode } from '../../src/cluster/punctual-node';
import type { PunctualConfig } from '../../src/config/config';
import { clusterTask, type ClusterTask, type Fire, type StatusValue } from '../../src/executor';
import type { KafkaPort } from '../../src/kafka/port';
import { silentLogger } from '../../src/log/logger';
import { sleep } from '../../src/util/sleep';
import { waitFor } from '../../src/util/wait-for';
import { readCommittedUntil, testBrokers, testPort, uniqueName } from '../helpers/kafka';
import { startScript, type ScriptProcess } from '../helpers/processes';
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

/** `<fireId> <occurrence>` of each line of `output` that starts with `word `. */
const linesOf = (output: string, word: string): string[] => output.split('\n').filter((line) => line.startsWith(`${word} `)).map((line) => line.slice(word.length + 1));

test('kill -9 of the instance running an occurrence: it runs again on another, none runs on two survivors, none is skipped, each has one terminal outcome', async () => {
  const service = 'ledger';
  const name = uniqueName('close');
  const hangFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'punctual-hang-')), 'hang');
  const env = {
    KAFKA_BROKERS: testBrokers().join(','),
    TEST_TASK_SERVICE: service,
    TEST_TASK_NAME: name,
    TEST_TASK_EVERY_MS: String(PERIOD_MS),
    TEST_TASK_RUN_MS: '150',
    // Once the test creates this file, the next occurrence's run never ends: the kill lands mid-run
    // however loaded the machine is (a run that merely sleeps once ended between the look and the kill).
    TEST_TASK_HANG_FILE: hangFile,
    TEST_TASK_DEFINITIONS_TOPIC: config.topics.definitions,
    TEST_TASK_STATUS_TOPIC: config.topics.status,
    TEST_TASK_DLQ_TOPIC: config.topics.executionsDlq,
  };
  const instances: ScriptProcess[] = [0, 1, 2].map(() => startScript('test-cluster-task', env));
  try {
    await waitFor('three instances ready', () => instances.every((instance) => instance.output().includes('task ready')), { timeoutMs: 60_000 });
    const ran = (): number => instances.reduce((total, instance) => total + linesOf(instance.output(), 'ran').length, 0);
    await waitFor('six occurrences', () => ran() >= 6, { timeoutMs: 60_000 });
    const unfinished = (instance: ScriptProcess): string[] => {
      const ended = new Set(linesOf(instance.output(), 'ran'));
      return linesOf(instance.output(), 'running').filter((run) => !ended.has(run));
    };
    writeFileSync(hangFile, '');
    const victim = await waitFor('an instance hanging mid-run', () => instances.find((instance) => linesOf(instance.output(), 'hanging').length > 0), { timeoutMs: 30_000, intervalMs: 5 });
    // Survivors run the occurrence again, and every later one, to their end.
    rmSync(hangFile);
    victim.child.kill('SIGKILL');
    await victim.exited;
    const [cut] = linesOf(victim.output(), 'hanging');
    expect(unfinished(victim)).toEqual([cut]);
    const survivors = instances.filter((instance) => instance !== victim);
    const ranBySurvivors = (): string[] => survivors.flatMap((instance) => linesOf(instance.output(), 'ran'));
    const before = ranBySurvivors().length;
    await waitFor('six occurrences after the kill', () => ranBySurvivors().length >= before + 6, { timeoutMs: 90_000 });
    for (const instance of survivors) instance.end();
    await Promise.all(survivors.map((instance) => instance.exited));

    // The occurrence cut short ran again, to its end, on a survivor.
    expect(ranBySurvivors()).toContain(cut);
    // No occurrence ran on two survivors: only a run the crash cut short (or whose outcome it kept from committing) runs again.
    const survivorRuns = survivors.flatMap((instance) => linesOf(instance.output(), 'running'));
    expect(survivorRuns.filter((run, i) => survivorRuns.indexOf(run) !== i)).toEqual([]);

    const occurrences = [...new Set(instances.flatMap((instance) => linesOf(instance.output(), 'ran')))].map((run) => Number(run.split(' ')[1])).sort((a, b) => a - b);
    const first = occurrences[0] ?? 1;
    const last = occurrences.at(-1) ?? 0;
    // None skipped: every occurrence from the first to the last ran.
    expect(occurrences).toEqual(Array.from({ length: last - first + 1 }, (_, i) => first + i));

    const id = `${service}/${name}`;
    const terminal = (records: { value: Buffer | null }[]): StatusValue[] =>
      records.map((record) => JSON.parse(record.value?.toString() ?? 'null') as StatusValue).filter((status) => status.id === id && (status.status === 'succeeded' || status.status === 'dead-lettered'));
    const statuses = terminal(await readCommittedUntil(port, config.topics.status, (records) => new Set(terminal(records).map((status) => status.occurrence)).size >= occurrences.length, 60_000));
    const perOccurrence = new Map<number, string[]>();
    for (const status of statuses) perOccurrence.set(status.occurrence, [...(perOccurrence.get(status.occurrence) ?? []), status.status]);
    expect(occurrences.map((occurrence) => ({ occurrence, outcomes: perOccurrence.get(occurrence) }))).toEqual(occurrences.map((occurrence) => ({ occurrence, outcomes: ['succeeded'] })));
  } catch (error) {
    for (const [i, instance] of instances.entries()) console.log(`--- instance ${i} output (tail) ---\n${instance.output().slice(-2000)}`);
    throw error;
  } finally {
    for (const instance of instances) instance.end();
    await Promise.all(instances.map((instance) => instance.exited));
  }
});
