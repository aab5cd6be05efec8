/**
 * A retry survives the node: a node process is killed with SIGKILL after the executor committed its
 * failed attempts and their retry one-shots, and before the retries are due. Started again on an
 * empty data folder (as on another machine: everything comes back from the changelog), the node
 * fires each retry once: every fire has exactly two events (attempt 1 and attempt 2) in a
 * read_committed read up to markers, and one succeeded outcome; each history shows both attempts,
 * the first one restored after the kill.
 */
import type { PunctualConfig } from '../../src/config/config';
import { loadConfig } from '../../src/config/config';
import { startPunctualProcess, stopPunctualProcesses, type PunctualProcess } from '../../src/dev/punctual-process';
import { createExecutor, type StatusValue } from '../../src/executor';
import type { IncomingRecord, KafkaPort } from '../../src/kafka/port';
import { silentLogger } from '../../src/log/logger';
import type { OccurrenceOutcome } from '../../src/domain/occurrence-outcome';
import { waitFor } from '../../src/util/wait-for';
import { createTopic, produceAll, readAllUpToMarkers, readCommittedUntil, testBrokers, testPort, uniqueName } from '../helpers/kafka';
import { definitionRecord, uniqueNodeEnv } from '../helpers/punctual';

jest.setTimeout(180_000);

const FIRES = 10;
const BACKOFF_MS = 10_000;

let port: KafkaPort;

beforeAll(() => {
  port = testPort();
});

const statusesIn = (records: IncomingRecord[], outcome: string): StatusValue[] => records.map((record) => JSON.parse(record.value?.toString() ?? 'null') as StatusValue).filter((status) => status.status === outcome);

test('kill -9 of the node between the failed attempts and their retries: each retry fires once', async () => {
  const env = uniqueNodeEnv();
  const config: PunctualConfig = loadConfig(env);
  const topic = uniqueName('retry-crash-out');
  await createTopic(port, topic, 3);
  let node: PunctualProcess = startPunctualProcess(env);
  await node.ready();
  const executor = createExecutor({
    brokers: testBrokers(),
    groupId: uniqueName('retry-crash-exec'),
    handlers: { [topic]: async (fire) => (fire.attempt === 1 ? Promise.reject(new Error('not yet')) : { attempt: fire.attempt }) },
    statusTopic: config.topics.status,
    deadLetterTopic: config.topics.executionsDlq,
    definitionsTopic: config.topics.definitions,
    retry: { maxAttempts: 3, backoff: { type: 'fixed', initialMs: BACKOFF_MS, jitter: 0 } },
    sessionTimeoutMs: 6_000,
    logger: silentLogger,
  });
  await executor.start();
  try {
    const dueAt = Date.now() + 1_500;
    await produceAll(port, Array.from({ length: FIRES }, (_, i) => definitionRecord(config.topics.definitions, { host: 'crash', name: `job-${i}`, action: 'INSERT', at: new Date(dueAt + i * 10).toISOString(), topic })));

    const retrying = statusesIn(await readCommittedUntil(port, config.topics.status, (records) => statusesIn(records, 'retrying').length >= FIRES, 60_000), 'retrying');
    const firstRetryDue = Math.min(...retrying.map((status) => Date.parse(status.nextAttemptAt ?? '')));
    // The retries are committed definitions now; the node dies before the first is due, and comes back.
    expect(Date.now()).toBeLessThan(firstRetryDue - 1_000);
    node.child.kill('SIGKILL');
    await node.exited;
    node = startPunctualProcess({ ...env, PUNCTUAL_DATA_DIR: `${env.PUNCTUAL_DATA_DIR}-after-kill` });
    const httpPort = await node.ready();

    const succeeded = statusesIn(await readCommittedUntil(port, config.topics.status, (records) => statusesIn(records, 'succeeded').length >= FIRES, 90_000), 'succeeded');
    expect(new Set(succeeded.map((status) => status.fireId)).size).toBe(FIRES);
    for (let i = 0; i < FIRES; i++) {
      const [occurrence] = await waitFor(`the history of crash/job-${i}`, async () => {
        const response = await fetch(`http://127.0.0.1:${httpPort}/v1/schedules/crash/job-${i}/history`);
        const items = response.status === 200 ? ((await response.json()) as { items: OccurrenceOutcome[] }).items : [];
        return items[0]?.status === 'succeeded' ? items : undefined;
      }, { timeoutMs: 30_000, intervalMs: 200 });
      expect(occurrence?.attempts.map(({ attempt, result }) => ({ attempt, result }))).toEqual([
        { attempt: 1, result: 'failed' },
        { attempt: 2, result: 'succeeded' },
      ]);
    }
    await stopPunctualProcesses([node]);
    const events = await readAllUpToMarkers(port, topic, 3);
    const attempts = new Map<string, string[]>();
    for (const event of events) {
      const fireId = event.headers['punctual-fire-id'] ?? '<none>';
      attempts.set(fireId, [...(attempts.get(fireId) ?? []), event.headers['punctual-attempt'] ?? '1']);
    }
    expect(attempts.size).toBe(FIRES);
    for (const [fireId, seen] of attempts) expect({ fireId, attempts: seen }).toEqual({ fireId, attempts: ['1', '2'] });
  } finally {
    await executor.stop();
    await stopPunctualProcesses([node]);
  }
});
