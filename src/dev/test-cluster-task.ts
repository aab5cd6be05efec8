/**
 * A service instance with one clustered task, for crash tests (`node dist/src/dev/test-cluster-task.js`):
 * prints `running <fireId> <occurrence>` when an occurrence starts on this instance and
 * `ran <fireId> <occurrence>` when it ends (after TEST_TASK_RUN_MS), and `task ready` once started.
 * While the file TEST_TASK_HANG_FILE exists, an occurrence that starts prints `hanging <fireId>
 * <occurrence>` too and never ends, so a test can kill the instance mid-run without racing the run's end.
 *
 * Environment: KAFKA_BROKERS, TEST_TASK_SERVICE, TEST_TASK_NAME, TEST_TASK_EVERY_MS,
 * TEST_TASK_RUN_MS (default 100), TEST_TASK_HANG_FILE (optional), TEST_TASK_DEFINITIONS_TOPIC,
 * TEST_TASK_STATUS_TOPIC, TEST_TASK_DLQ_TOPIC.
 */
import { existsSync } from 'node:fs';
import { clusterTask } from '../executor';
import { createLogger } from '../log/logger';
import { sleep } from '../util/sleep';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const runMs = Number(process.env.TEST_TASK_RUN_MS ?? 100);
  const hangFile = process.env.TEST_TASK_HANG_FILE;
  const task = await clusterTask({
    brokers: required('KAFKA_BROKERS').split(','),
    service: required('TEST_TASK_SERVICE'),
    name: required('TEST_TASK_NAME'),
    every: Number(required('TEST_TASK_EVERY_MS')),
    run: async (fire) => {
      console.log(`running ${fire.fireId} ${fire.occurrence}`);
      if (hangFile && existsSync(hangFile)) {
        console.log(`hanging ${fire.fireId} ${fire.occurrence}`);
        await new Promise<never>(() => undefined);
      }
      await sleep(runMs);
      console.log(`ran ${fire.fireId} ${fire.occurrence}`);
      return null;
    },
    definitionsTopic: required('TEST_TASK_DEFINITIONS_TOPIC'),
    statusTopic: required('TEST_TASK_STATUS_TOPIC'),
    deadLetterTopic: required('TEST_TASK_DLQ_TOPIC'),
    sessionTimeoutMs: 6_000,
    logger: createLogger('warn'),
  });
  process.once('SIGTERM', () => void task.stop().then(() => process.exit(0)));
  console.log(`task ready ${task.executor.executorId}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
