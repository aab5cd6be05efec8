/**
 * `npm start`: config -> logger -> Kafka (a local broker when KAFKA_BROKERS is empty) -> the node
 * and its API (app/punctual-app.ts), and an orderly shutdown on SIGINT/SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { startPunctualApp } from './app/punctual-app';
import { ConfigError, loadConfig, type PunctualConfig } from './config/config';
import { LocalKafka } from './dev/local-kafka';
import { transactionFaultHook } from './dev/transaction-fault';
import { systemClock } from './domain/clock';
import { KafkajsPort } from './kafka/kafkajs/kafkajs-port';
import { createLogger, type Logger } from './log/logger';

type ShutdownStep = { name: string; run: () => Promise<void> };

/** Run in order on shutdown; each component puts itself first when it starts. */
const shutdownSteps: ShutdownStep[] = [];

async function main(): Promise<void> {
  let config: PunctualConfig;
  try {
    config = loadConfig();
  } catch (error) {
    exitOnConfigError(error);
    throw error;
  }
  const logger = createLogger(config.logLevel).child({ service: 'punctual' });
  installSignalHandlers(logger);
  const onTransactionStep = transactionFaultHook(process.env, (fault) => logger.warn('test fault strikes', { ...fault }));

  let brokers = config.kafka.brokers;
  if (brokers.length === 0) {
    logger.info('KAFKA_BROKERS is empty: starting a local Kafka broker');
    const local = await LocalKafka.start({ log: (line) => logger.info(line) });
    shutdownSteps.unshift({ name: 'local Kafka', run: () => local.stop() });
    brokers = local.bootstrap.split(',');
  }
  console.log(`KAFKA_BROKERS=${brokers.join(',')}`);

  const port = new KafkajsPort({ brokers, clientId: config.kafka.clientId, logger, transactionTimeoutMs: config.kafka.transactionTimeoutMs });
  const tls = config.tls.certFile ? { cert: await readFile(config.tls.certFile, 'utf8'), key: await readFile(config.tls.keyFile, 'utf8') } : undefined;
  const app = await startPunctualApp({
    config,
    port,
    clock: systemClock,
    logger,
    httpPort: config.httpPort,
    ...(tls ? { tls } : {}),
    onCloseable: (close) => shutdownSteps.unshift({ name: 'node and HTTP', run: close }),
    ...(onTransactionStep ? { onTransactionStep } : {}),
  });
  console.log(`Punctual node ready: group ${config.groupId}, partitions [${app.node.ownedPartitions().join(',')}] of ${config.topics.definitions}, ${app.url}`);
}

/** Ctrl-C and SIGTERM run the shutdown steps in order (the app, then the local broker); a second signal exits at once. */
function installSignalHandlers(logger: Logger): void {
  let shuttingDown = false;
  const shutdown = (signal: string): void => {
    if (shuttingDown) {
      logger.warn('second signal: exiting without a clean shutdown', { signal });
      process.exit(1);
    }
    shuttingDown = true;
    logger.info('shutting down', { signal });
    void (async () => {
      const failed = await runShutdownSteps((step, error) => logger.error('shutdown step failed', { step, error }));
      logger.info('stopped');
      process.exit(failed ? 1 : 0);
    })();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/** Runs every step even when one fails; returns whether any failed. */
async function runShutdownSteps(onError: (step: string, error: unknown) => void): Promise<boolean> {
  let failed = false;
  for (const step of shutdownSteps.splice(0)) {
    try {
      await step.run();
    } catch (error) {
      failed = true;
      onError(step.name, error);
    }
  }
  return failed;
}

/** A configuration error stops start-up with exit code 2 and a message naming the key. */
function exitOnConfigError(error: unknown): void {
  if (error instanceof ConfigError) {
    console.error(`configuration error: ${error.message}`);
    process.exit(2);
  }
}

main().catch(async (error: unknown) => {
  if (error instanceof ConfigError) {
    await runShutdownSteps(() => undefined);
    exitOnConfigError(error);
  }
  console.error(`punctual failed to start: ${error instanceof Error ? error.message : String(error)}`);
  await runShutdownSteps((step, stepError) => console.error(`stopping ${step} failed: ${String(stepError)}`));
  process.exit(1);
});
