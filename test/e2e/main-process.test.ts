/**
 * The built entry point (what `npm start` runs) as a separate process: it becomes ready, fires a
 * definition produced to Kafka, and stops cleanly on SIGINT/SIGTERM, leaving no broker JVM behind.
 * `npm test` builds dist/ first (pretest).
 */
import { readCommittedUntil, testBrokers, testPort, uniqueName } from '../helpers/kafka';
import { commandOf, descendants, isAlive } from '../helpers/processes';
import { definitionRecord, uniqueNodeEnv } from '../helpers/punctual';
import { startPunctualProcess, type PunctualProcess } from '../../src/dev/punctual-process';

jest.setTimeout(120_000);

interface RunningMain extends PunctualProcess {
  definitionsTopic: string;
}

function startMain(env: Record<string, string>): RunningMain {
  const prefix = uniqueName('main');
  const node = startPunctualProcess({ ...uniqueNodeEnv(prefix), PUNCTUAL_PARTITIONS: '2', ...env });
  return { ...node, definitionsTopic: `${prefix}.definitions` };
}

test('with KAFKA_BROKERS set it uses that cluster, fires a definition, answers health checks and stops on SIGTERM', async () => {
  const main = startMain({ KAFKA_BROKERS: testBrokers().join(',') });
  try {
    const httpPort = await main.ready();
    const brokers = /KAFKA_BROKERS=(\S+)/.exec(main.output())?.[1];
    expect(brokers).toBe(testBrokers().join(','));
    expect(main.output()).not.toContain('starting a local Kafka broker');
    const ready = await fetch(`http://127.0.0.1:${httpPort}/health/ready`);
    expect(ready.status).toBe(200);

    const port = testPort();
    const producer = port.createProducer();
    await producer.connect();
    const topic = uniqueName('out');
    await producer.send([definitionRecord(main.definitionsTopic, { host: 'demo', name: 'hello', action: 'INSERT', at: new Date().toISOString(), topic, data: { x: 1 } })]);
    await producer.close();
    const [event] = await readCommittedUntil(port, topic, (records) => records.length >= 1);
    expect(event?.headers['punctual-id']).toBe('demo/hello');
  } finally {
    main.child.kill('SIGTERM');
  }
  expect(await main.exited).toBe(0);
  expect(main.output()).toContain('"msg":"stopped"');
});

test('without KAFKA_BROKERS it starts its own broker, and SIGINT stops the node and every broker JVM', async () => {
  const main = startMain({ KAFKA_BROKERS: '' });
  let jvms: number[] = [];
  try {
    await main.ready();
    const brokers = /KAFKA_BROKERS=(\S+)/.exec(main.output())?.[1];
    expect(brokers).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(brokers).not.toBe(testBrokers().join(','));
    jvms = descendants(main.child.pid ?? -1).filter((pid) => commandOf(pid).includes('kafka.Kafka'));
    expect(jvms.length).toBeGreaterThan(0);
  } finally {
    main.child.kill('SIGINT');
  }
  expect(await main.exited).toBe(0);
  for (const pid of jvms) expect(isAlive(pid)).toBe(false);
});
