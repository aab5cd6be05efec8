/**
 * Jest global setup: one local Kafka broker for the whole run, unless KAFKA_BROKERS points at one.
 * Test workers inherit KAFKA_BROKERS from this process's environment.
 */
import { LocalKafka } from '../../src/dev/local-kafka';

declare global {
  var __PUNCTUAL_LOCAL_KAFKA__: LocalKafka | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.KAFKA_BROKERS) return;
  const started = Date.now();
  const kafka = await LocalKafka.start({ log: (line) => console.log(line) });
  globalThis.__PUNCTUAL_LOCAL_KAFKA__ = kafka;
  process.env.KAFKA_BROKERS = kafka.bootstrap;
  console.log(`\nlocal Kafka ready at ${kafka.bootstrap} in ${Date.now() - started} ms`);
}
