/**
 * `npm run kafka -- [--brokers 1|3] [--port P]`: runs a local Kafka until Ctrl-C.
 * Prints `KAFKA_BROKERS=<host:port,...>` once every broker answers.
 */
import { LocalKafka } from './local-kafka';
import { parseKafkaCliArgs } from './kafka-cli-args';

async function main(): Promise<void> {
  const options = parseKafkaCliArgs(process.argv.slice(2));
  const kafka = await LocalKafka.start({ ...options, log: (line) => console.error(line) });
  console.log(`KAFKA_BROKERS=${kafka.bootstrap}`);
  const shutdown = (): void => {
    console.error('stopping local Kafka');
    kafka.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
