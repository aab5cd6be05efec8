/**
 * Executors under a crash, on the real broker: three executor processes (src/dev/test-executor.ts)
 * in one group run the fires of an in-process node; one is killed with SIGKILL while it runs
 * handlers. Every fire still ends with exactly one terminal outcome in a read_committed read of the
 * status topic, no attempt has two outcomes, the killed executor's running attempts run again on
 * another one (at least once), retries keep their backoff, and fires that always fail are in the
 * execution dead-letter topic after their last attempt with every attempt's error. What handlers
 * write with ctx.send is in a read_committed read exactly once per successful fire, none for failed
 * attempts, however often the killed executor's attempts ran.
 */
import type { PunctualNode } from '../../src/cluster/punctual-node';
import type { PunctualConfig } from '../../src/config/config';
import type { StatusValue } from '../../src/executor';
import type { IncomingRecord, KafkaPort, Producer } from '../../src/kafka/port';
import { waitFor } from '../../src/util/wait-for';
import { createTopic, readAllUpToMarkers, readCommittedUntil, testBrokers, testPort, uniqueName } from '../helpers/kafka';
import { startScript, type ScriptProcess } from '../helpers/processes';
import { definitionRecord, startNode, testConfig } from '../helpers/punctual';

jest.setTimeout(180_000);

const BACKOFF_MS = 700;
const MAX_ATTEMPTS = 3;

let port: KafkaPort;
let config: PunctualConfig;
let node: PunctualNode;
let producer: Producer;

beforeAll(async () => {
  port = testPort();
  config = testConfig();
  node = await startNode(port, config);
  producer = port.createProducer();
  await producer.connect();
});

afterAll(async () => {
  await producer.close();
  await node.stop();
});

type ExecutorProcess = ScriptProcess;
const startExecutor = (env: Record<string, string>): ExecutorProcess => startScript('test-executor', env);

/** Attempts a process started and did not finish, as `<fireId> <attempt>`. */
function running(executor: ExecutorProcess): string[] {
  const lines = executor.output().split('\n');
  const handled = new Set(lines.filter((line) => line.startsWith('handled ')).map((line) => line.slice('handled '.length)));
  return lines.filter((line) => line.startsWith('handling ')).map((line) => line.slice('handling '.length)).filter((attempt) => !handled.has(attempt));
}

const statusOf = (record: IncomingRecord): StatusValue => JSON.parse(record.value?.toString() ?? 'null') as StatusValue;

test('kill -9 of an executor running handlers: one terminal outcome per fire, none per attempt twice, its attempts run again, retries keep their backoff', async () => {
  const topic = uniqueName('crash-out');
  const outputTopic = uniqueName('crash-sent');
  await createTopic(port, topic, 6);
  await createTopic(port, outputTopic, 3);
  const env = {
    KAFKA_BROKERS: testBrokers().join(','),
    TEST_EXECUTOR_GROUP: uniqueName('crash-exec'),
    TEST_EXECUTOR_TOPIC: topic,
    TEST_EXECUTOR_STATUS_TOPIC: config.topics.status,
    TEST_EXECUTOR_DLQ_TOPIC: config.topics.executionsDlq,
    TEST_EXECUTOR_DEFINITIONS_TOPIC: config.topics.definitions,
    TEST_EXECUTOR_HANDLER_MS: '300',
    TEST_EXECUTOR_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    TEST_EXECUTOR_BACKOFF_MS: String(BACKOFF_MS),
    TEST_EXECUTOR_OUTPUT_TOPIC: outputTopic,
  };
  const executors = ['a', 'b', 'c'].map(() => startExecutor(env));
  try {
    await waitFor('three executors ready', () => executors.every((executor) => executor.output().includes('executor ready')), { timeoutMs: 60_000 });
    const names = [...Array.from({ length: 24 }, (_, i) => `ok-${i}`), ...Array.from({ length: 8 }, (_, i) => `flaky-${i}`), ...Array.from({ length: 4 }, (_, i) => `doomed-${i}`)];
    const start = Date.now() + 3_000;
    const dueAt = new Map(names.map((name, i) => [name, start + i * 100]));
    await producer.send(names.map((name) => definitionRecord(config.topics.definitions, { host: 'crash', name, action: 'INSERT', at: new Date(dueAt.get(name) ?? 0).toISOString(), topic, data: { name } })));

    // The victim: an executor with attempts running, once the run is under way.
    const victim = await waitFor('an executor with running handlers', () => (Date.now() > start + 1_000 ? executors.find((executor) => running(executor).length > 0) : undefined), { timeoutMs: 60_000, intervalMs: 5 });
    victim.child.kill('SIGKILL');
    const cut = running(victim);
    await victim.exited;
    const survivors = executors.filter((executor) => executor !== victim);

    const fireIds = new Map(names.map((name) => [`crash/${name}@${dueAt.get(name)}`, name]));
    const terminal = (records: IncomingRecord[]): Set<string> => new Set(records.map(statusOf).filter((status) => status.status === 'succeeded' || status.status === 'dead-lettered').map((status) => status.fireId));
    let latest: IncomingRecord[] = [];
    const records = await readCommittedUntil(
      port,
      config.topics.status,
      (seen) => {
        latest = seen;
        return [...fireIds.keys()].every((fireId) => terminal(seen).has(fireId));
      },
      120_000,
    ).catch((error: unknown) => {
      const ended = terminal(latest);
      const open = [...fireIds.keys()].filter((fireId) => !ended.has(fireId));
      const lines = executors.map((executor, i) => `executor ${i}${executor === victim ? ' (killed)' : ''}: ${executor.output().split('\n').filter((line) => open.some((fireId) => line.includes(fireId))).join(' | ')}`);
      throw new Error(`${String(error)}; no terminal outcome for ${open.join(', ')}; their statuses ${JSON.stringify(latest.map(statusOf).filter((status) => open.includes(status.fireId)))}; ${lines.join('; ')}`);
    });
    const statuses = records.map(statusOf).filter((status) => fireIds.has(status.fireId) && status.status !== 'started');

    const perAttempt = new Map<string, number>();
    for (const status of statuses) perAttempt.set(`${status.fireId} ${status.attempt}`, (perAttempt.get(`${status.fireId} ${status.attempt}`) ?? 0) + 1);
    expect([...perAttempt].filter(([, count]) => count > 1)).toEqual([]);

    for (const [fireId, name] of fireIds) {
      const attempts = statuses.filter((status) => status.fireId === fireId).sort((a, b) => a.attempt - b.attempt);
      const expected = name.startsWith('ok') ? ['succeeded'] : name.startsWith('flaky') ? ['retrying', 'succeeded'] : ['retrying', 'retrying', 'dead-lettered'];
      expect({ name, outcomes: attempts.map((status) => status.status) }).toEqual({ name, outcomes: expected });
      for (const [before, after] of attempts.slice(0, -1).map((status, i) => [status, attempts[i + 1]] as const)) {
        // The next attempt starts no sooner than the backoff after the failed one ended (1 ms of rounding).
        expect(Date.parse(after?.startedAt ?? '') - Date.parse(before.finishedAt ?? '')).toBeGreaterThanOrEqual(BACKOFF_MS - 1);
      }
    }
    // What the victim was running when it died ran again elsewhere (its offsets were not committed).
    expect(cut.length).toBeGreaterThan(0);
    for (const attempt of cut) expect(survivors.some((executor) => executor.output().includes(`handling ${attempt}`))).toBe(true);

    const doomed = [...fireIds].filter(([, name]) => name.startsWith('doomed')).map(([fireId]) => fireId);
    const dead = await readCommittedUntil(port, config.topics.executionsDlq, (seen) => doomed.every((fireId) => seen.some((record) => record.headers['punctual-fire-id'] === fireId)), 30_000);
    for (const fireId of doomed) {
      const letters = dead.filter((record) => record.headers['punctual-fire-id'] === fireId);
      expect(letters.map((record) => record.headers['punctual-dlq-reason'])).toEqual([`attempt ${MAX_ATTEMPTS} of ${MAX_ATTEMPTS} failed; last error Error: attempt ${MAX_ATTEMPTS} fails`]);
      const errors = JSON.parse(letters[0]?.headers['punctual-attempt-errors'] ?? '[]') as { attempt: number; message: string }[];
      expect(errors.map(({ attempt, message }) => ({ attempt, message }))).toEqual([1, 2, 3].map((attempt) => ({ attempt, message: `attempt ${attempt} fails` })));
    }

    // ctx.send: one record per fire that succeeded, from its successful attempt; none from a failed one.
    const succeeded = statuses.filter((status) => status.status === 'succeeded');
    // Up to markers on every partition: a transaction still open is resolved before the read ends.
    const sent = await readAllUpToMarkers(port, outputTopic, 3);
    expect(sent.map((record) => record.value?.toString()).sort()).toEqual(succeeded.map((status) => `${status.fireId} ${status.attempt}`).sort());
  } catch (error) {
    for (const [i, executor] of executors.entries()) console.log(`--- executor ${i} output (tail) ---\n${executor.output().slice(-3000)}`);
    throw error;
  } finally {
    for (const executor of executors) executor.end();
    await Promise.all(executors.map((executor) => executor.exited));
  }
});
