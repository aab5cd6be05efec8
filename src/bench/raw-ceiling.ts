/**
 * The raw broker ceiling on this machine: Kafka's own ProducerPerformance from the same jars as the
 * broker (kafka-tools), acks=all, as many records as it can send.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { KafkaPort } from '../kafka/port';

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

/** Kafka's ProducerPerformance writing `records` records of `recordSize` bytes to a new 12-partition topic. */
export async function measureRawCeiling(port: KafkaPort, libs: string, records: number, recordSize: number): Promise<CeilingResult> {
  const topic = `raw-ceiling-${recordSize}-${randomBytes(4).toString('hex')}`;
  const admin = port.createAdmin();
  await admin.connect();
  try {
    await admin.createTopics([{ topic, partitions: 12, replicationFactor: -1 }]);
  } finally {
    await admin.close();
  }
  return parseSummary(recordSize, await producerPerformance(libs, topic, port.brokers.join(','), records, recordSize));
}
