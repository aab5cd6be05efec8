/**
 * An executor process for crash tests (`node dist/src/dev/test-executor.js`): one handler for the
 * target topic that prints `handling <fireId> <attempt>` when it starts and `handled ...` when it
 * ends, runs TEST_EXECUTOR_HANDLER_MS, and fails attempts of schedules whose name starts with
 * `flaky` (the first) or `doomed` (every one). Prints `executor ready <id>` once it has started.
 *
 * Environment: KAFKA_BROKERS, TEST_EXECUTOR_GROUP, TEST_EXECUTOR_TOPIC, TEST_EXECUTOR_STATUS_TOPIC,
 * TEST_EXECUTOR_DLQ_TOPIC, TEST_EXECUTOR_DEFINITIONS_TOPIC, TEST_EXECUTOR_HANDLER_MS (default 200),
 * TEST_EXECUTOR_MAX_ATTEMPTS (3), TEST_EXECUTOR_BACKOFF_MS (700, fixed, no jitter), and
 * TEST_EXECUTOR_OUTPUT_TOPIC: when set, each attempt sends `<fireId> <attempt>` there with ctx.send
 * before it runs (written only with a successful attempt's outcome).
 */
import { createExecutor } from '../executor';
import { createLogger } from '../log/logger';
import { sleep } from '../util/sleep';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const topic = required('TEST_EXECUTOR_TOPIC');
  const handlerMs = Number(process.env.TEST_EXECUTOR_HANDLER_MS ?? 200);
  const outputTopic = process.env.TEST_EXECUTOR_OUTPUT_TOPIC;
  const executor = createExecutor({
    brokers: required('KAFKA_BROKERS').split(','),
    groupId: required('TEST_EXECUTOR_GROUP'),
    handlers: {
      [topic]: async (fire, ctx) => {
        console.log(`handling ${fire.fireId} ${fire.attempt}`);
        if (outputTopic) await ctx.send({ topic: outputTopic, key: fire.fireId, value: `${fire.fireId} ${fire.attempt}` });
        await sleep(handlerMs);
        const failing = fire.name.startsWith('doomed') || (fire.name.startsWith('flaky') && fire.attempt === 1);
        console.log(`handled ${fire.fireId} ${fire.attempt}`);
        if (failing) throw new Error(`attempt ${fire.attempt} fails`);
        return { attempt: fire.attempt };
      },
    },
    concurrency: 4,
    statusTopic: required('TEST_EXECUTOR_STATUS_TOPIC'),
    deadLetterTopic: required('TEST_EXECUTOR_DLQ_TOPIC'),
    definitionsTopic: required('TEST_EXECUTOR_DEFINITIONS_TOPIC'),
    retry: { maxAttempts: Number(process.env.TEST_EXECUTOR_MAX_ATTEMPTS ?? 3), backoff: { type: 'fixed', initialMs: Number(process.env.TEST_EXECUTOR_BACKOFF_MS ?? 700), jitter: 0 } },
    sessionTimeoutMs: 6_000,
    stopOnSignals: true,
    logger: createLogger('warn'),
  });
  await executor.start();
  console.log(`executor ready ${executor.executorId}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
