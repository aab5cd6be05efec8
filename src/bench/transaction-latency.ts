/**
 * `npm run measure:transactions [-- --transactions N]`: what one node transaction costs on the
 * broker, through the Kafka port: N back-to-back transactions of one record and one offset commit,
 * first with the records and the offsets sent one after the other, then side by side as the node
 * does (node-transactions.ts), each step timed. Starts a local broker unless KAFKA_BROKERS is set.
 * Never part of `npm test`.
 */
import { randomBytes } from 'node:crypto';
import { LocalKafka } from '../dev/local-kafka';
import { KafkajsPort } from '../kafka/kafkajs/kafkajs-port';
import type { KafkaPort } from '../kafka/port';
import { silentLogger } from '../log/logger';
import { percentiles } from './stats';

interface Timings {
  total: number[];
  records: number[];
  offsets: number[];
  commit: number[];
}

async function measure(port: KafkaPort, topic: string, count: number, sideBySide: boolean): Promise<Timings> {
  const producer = port.createTransactionalProducer(`measure-${randomBytes(4).toString('hex')}`);
  await producer.connect();
  const timings: Timings = { total: [], records: [], offsets: [], commit: [] };
  try {
    for (let i = 0; i < count; i++) {
      const began = performance.now();
      const transaction = await producer.beginTransaction();
      const records = transaction.send([{ topic, key: `k${i}`, value: 'v' }]).then(() => timings.records.push(performance.now() - began));
      const offsets = (): Promise<number> => transaction.sendOffsets('measure-group', [{ topic, partition: 0, offset: i }]).then(() => timings.offsets.push(performance.now() - began));
      if (sideBySide) await Promise.all([records, offsets()]);
      else await records.then(offsets);
      const committing = performance.now();
      await transaction.commit();
      timings.commit.push(performance.now() - committing);
      timings.total.push(performance.now() - began);
    }
  } finally {
    await producer.close();
  }
  return timings;
}

function line(label: string, samples: number[]): string {
  const p = percentiles(samples.map((ms) => Math.round(ms * 10) / 10));
  return `  ${label.padEnd(34)} p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms`;
}

async function main(): Promise<void> {
  const flag = process.argv.indexOf('--transactions');
  const count = flag >= 0 ? Number(process.argv[flag + 1]) : 1_000;
  if (!Number.isInteger(count) || count < 1) throw new Error('usage: npm run measure:transactions -- [--transactions N]');
  const local = process.env.KAFKA_BROKERS ? undefined : await LocalKafka.start();
  try {
    const brokers = process.env.KAFKA_BROKERS?.split(',') ?? local?.bootstrap.split(',') ?? [];
    const port = new KafkajsPort({ brokers, clientId: 'punctual-measure', logger: silentLogger });
    const topic = `measure-${randomBytes(4).toString('hex')}`;
    const admin = port.createAdmin();
    await admin.connect();
    await admin.createTopics([{ topic, partitions: 1, replicationFactor: -1 }]).finally(() => admin.close());
    // A first round warms the broker and the client up; it is not reported.
    await measure(port, topic, Math.min(count, 200), true);
    for (const sideBySide of [false, true]) {
      const timings = await measure(port, topic, count, sideBySide);
      process.stdout.write(`${count} transactions, records and offsets ${sideBySide ? 'side by side' : 'one after the other'}:\n`);
      process.stdout.write(`${line('whole transaction', timings.total)}\n${line('records acknowledged (from begin)', timings.records)}\n${line('offsets committed (from begin)', timings.offsets)}\n${line('EndTxn', timings.commit)}\n`);
    }
  } finally {
    await local?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`measuring failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
