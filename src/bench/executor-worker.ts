/**
 * The Punctual executor of the executor benchmark, run as its own process (as a service's would be):
 * a no-op handler that notes how late each fire is (now minus its due time), statuses recorded as
 * in service. Reports its count while running, forgets what it measured when told to reset (after
 * a warm-up), and reports its lateness samples and first and last handling times when told to stop.
 * Env: KAFKA_BROKERS, TOPIC, GROUP, STATUS_TOPIC, DLQ_TOPIC, DEFINITIONS_TOPIC, CONCURRENCY.
 */
import { createExecutor } from '../executor';
import { silentLogger } from '../log/logger';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const lateness: number[] = [];
/** Handler start minus the node's send time: what the executor's own read adds. */
const fromFired: number[] = [];
let firstAt = 0;
let lastAt = 0;
const topic = env('TOPIC');
const executor = createExecutor({
  brokers: env('KAFKA_BROKERS').split(','),
  groupId: env('GROUP'),
  handlers: {
    [topic]: async (fire) => {
      const now = Date.now();
      if (firstAt === 0) firstAt = now;
      lastAt = now;
      lateness.push(now - fire.scheduledAt.getTime());
      fromFired.push(now - fire.firedAt.getTime());
      return null;
    },
  },
  concurrency: Number(env('CONCURRENCY')),
  statusTopic: env('STATUS_TOPIC'),
  deadLetterTopic: env('DLQ_TOPIC'),
  definitionsTopic: env('DEFINITIONS_TOPIC'),
  logger: silentLogger,
});

const send = (message: unknown): void => void process.send?.(message);
const counter = setInterval(() => send({ kind: 'count', count: lateness.length }), 200);

process.on('message', (message) => {
  if (message === 'reset') {
    // The warm-up load is over: what follows is measured.
    lateness.length = 0;
    fromFired.length = 0;
    firstAt = 0;
    send({ kind: 'reset' });
    return;
  }
  if (message !== 'stop') return;
  clearInterval(counter);
  void executor.stop().then(() => process.send?.({ kind: 'done', lateness, fromFired, firstAt, lastAt }, undefined, {}, () => process.exit(0)));
});

executor.start().then(
  () => send({ kind: 'ready' }),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
