/**
 * A periodic task of a service with several instances: each occurrence runs on exactly one of them.
 * Every instance upserts the same schedule at start (a definition equal to the one applied changes
 * nothing: the run goes on), and runs an executor of the task's own topic in the task's own group,
 * so the group gives each occurrence to one instance, and another one when that instance dies. An
 * occurrence whose instance died mid-run runs again on the next owner (the handler runs at least
 * once); a failure is retried by the policy.
 */
import { validateDefinition } from '../domain/definition-validation';
import { KafkajsPort } from '../kafka/kafkajs/kafkajs-port';
import type { KafkaPort } from '../kafka/port';
import { createLogger, type Logger } from '../log/logger';
import { DEFAULT_DEFINITIONS_TOPIC, createExecutor, type Executor, type ExecutorOptions, type Handler } from './executor';

export interface ClusterTaskOptions {
  brokers: string[];
  /** The service: the schedule's host, and the group its instances share (with the task's name). */
  service: string;
  name: string;
  /** Period in milliseconds; or `cron`. */
  every?: number;
  cron?: string;
  /** IANA time zone of a cron (default UTC). */
  timezone?: string;
  run: Handler;
  retry?: ExecutorOptions['retry'];
  timeoutMs?: number;
  definitionsTopic?: string;
  statusTopic?: string;
  deadLetterTopic?: string;
  sessionTimeoutMs?: number;
  logger?: Logger;
  /** Tests: the Kafka port to use. */
  port?: KafkaPort;
}

export interface ClusterTask {
  readonly topic: string;
  readonly executor: Executor;
  /** Leaves the group (the task goes on on the other instances); the schedule stays. */
  stop(): Promise<void>;
}

/** The topic of a task's occurrences: `punctual.task.<service>.<name>` (`:` becomes `_`, which topic names do not allow). */
export function clusterTaskTopic(service: string, name: string): string {
  return `punctual.task.${service}.${name}`.replaceAll(':', '_');
}

/** Upserts the task's schedule and starts this instance's executor of it. */
export async function clusterTask(options: ClusterTaskOptions): Promise<ClusterTask> {
  const topic = clusterTaskTopic(options.service, options.name);
  const timing = timingOf(options);
  const body = { host: options.service, name: options.name, action: 'INSERT', topic, ...timing };
  const validated = validateDefinition(body);
  if (!validated.ok) throw new RangeError(`clusterTask ${options.service}/${options.name}: ${validated.field === 'frequency' ? 'every' : validated.field} ${validated.reason}`);
  const logger = options.logger ?? createLogger('info');
  const port = options.port ?? new KafkajsPort({ brokers: options.brokers, clientId: `punctual-task-${options.service}`, logger });
  const producer = port.createProducer();
  await producer.connect();
  try {
    await producer.send([{ topic: options.definitionsTopic ?? DEFAULT_DEFINITIONS_TOPIC, key: `${options.service}/${options.name}`, value: JSON.stringify(body) }]);
  } finally {
    await producer.close();
  }
  const executor = createExecutor({
    brokers: options.brokers,
    groupId: `${options.service}.task.${options.name}`,
    handlers: { [topic]: options.run },
    // One occurrence at a time per instance: the group spreads nothing else.
    concurrency: 1,
    logger,
    ...(options.port ? { port: options.port } : {}),
    ...pick(options, ['retry', 'timeoutMs', 'definitionsTopic', 'statusTopic', 'deadLetterTopic', 'sessionTimeoutMs']),
  });
  await executor.start();
  return { topic, executor, stop: () => executor.stop() };
}

function timingOf({ every, cron, timezone, service, name }: ClusterTaskOptions): Record<string, unknown> {
  if ((every === undefined) === (cron === undefined)) throw new RangeError(`clusterTask ${service}/${name}: exactly one of every and cron is needed, got ${every === undefined ? 'neither' : 'both'}`);
  if (every !== undefined) {
    if (!Number.isInteger(every) || every < 1) throw new RangeError(`clusterTask ${service}/${name}: every must be a whole number of milliseconds of at least 1, got ${every}`);
    return { frequency: { timeUnit: 'MILLISECONDS', time: every } };
  }
  return { cron, ...(timezone === undefined ? {} : { timezone }) };
}

function pick<T extends object, K extends keyof T>(source: T, keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((key) => source[key] !== undefined).map((key) => [key, source[key]])) as Partial<Pick<T, K>>;
}
