/**
 * `npm run measure:raw [-- --records N]`: the raw broker ceiling on this machine, measured with
 * Kafka's own ProducerPerformance from the same jars as the broker (kafka-tools), acks=all, for
 * 100 B and 1 KB records, against a local broker (or KAFKA_BROKERS). Groundwork for the benchmark
 * suite, which will run it side by side with Punctual and BullMQ.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { LocalKafka } from '../dev/local-kafka';
import { ensureKafkaJars } from '../dev/kafka-distribution';
import { KafkajsPort } from '../kafka/kafkajs/kafkajs-port';
import { createLogger } from '../log/logger';

export interface CeilingResult {
  recordSize: number;
  recordsPerSecond: number;
  megabytesPerSecond: number;
  averageLatencyMs: number;
  p99LatencyMs: number;
}

/** Parses ProducerPerformance's final summary line: "N records sent, X records/sec (Y MB/sec), A ms avg latency, ... P99 ..." */
export function parseSummary(recordSize: number, output: string): CeilingResult {
  const line = output.split('\n').reverse().find((l) => /records sent, .* records\/sec/.test(l));
  const number = (pattern: RegExp): number => Number(pattern.exec(line ?? '')?.[1]);
  const result = {
    recordSize,
    recordsPerSecond: number(/([\d.]+) records\/sec/),
    megabytesPerSecond: number(/\(([\d.]+) MB\/sec\)/),
    averageLatencyMs: number(/([\d.]+) ms avg latency/),
    p99LatencyMs: number(/([\d.]+) ms 99th/),
  };
  if (!line || Object.values(result).some((value) => Number.isNaN(value))) throw new Error(`no ProducerPerformance summary in:\n${output.slice(-2000)}`);
  return result;
}

function producerPerformance(libs: string, topic: string, brokers: string, records: number, recordSize: number): Promise<string> {
  const args = ['-Xmx512m', '-cp', `${libs}/*`, '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', 'org.apache.kafka.tools.ProducerPerformance',
    '--topic', topic, '--num-records', String(records), '--record-size', String(recordSize), '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${brokers}`, 'acks=all', 'linger.ms=5', 'batch.size=262144'];
  return new Promise((resolve, reject) => {
    const java = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    java.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    java.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    java.on('error', reject);
    java.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`ProducerPerformance exited with ${code}:\n${output.slice(-2000)}`))));
  });
}

async function main(): Promise<void> {
  const recordsFlag = process.argv.indexOf('--records');
  const records = recordsFlag >= 0 ? Number(process.argv[recordsFlag + 1]) : 1_000_000;
  if (!Number.isInteger(records) || records <= 0) throw new Error('usage: npm run measure:raw -- [--records N]');
  const libs = await ensureKafkaJars((line) => console.error(line));
  let local: LocalKafka | undefined;
  let brokers = process.env.KAFKA_BROKERS ?? '';
  if (brokers === '') {
    local = await LocalKafka.start({ log: (line) => console.error(line) });
    brokers = local.bootstrap;
  }
  try {
    const admin = new KafkajsPort({ brokers: brokers.split(','), clientId: 'punctual-raw', logger: createLogger('warn') }).createAdmin();
    await admin.connect();
    for (const recordSize of [100, 1_024]) {
      const topic = `raw-ceiling-${recordSize}-${randomBytes(4).toString('hex')}`;
      await admin.createTopics([{ topic, partitions: 12, replicationFactor: -1 }]);
      const result = parseSummary(recordSize, await producerPerformance(libs, topic, brokers, records, recordSize));
      console.log(
        `raw ceiling, ${recordSize} B records, acks=all: ${Math.round(result.recordsPerSecond)} records/s (${result.megabytesPerSecond} MB/s), latency avg ${result.averageLatencyMs} ms, p99 ${result.p99LatencyMs} ms`,
      );
    }
    await admin.close();
  } finally {
    await local?.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
