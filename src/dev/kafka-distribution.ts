/**
 * Fetches the Apache Kafka jars from Maven Central once and caches them.
 *
 * Maven resolves scripts/kafka/pom.xml into a temporary folder that is renamed into place only when
 * complete, so an interrupted download never leaves a half-filled cache behind.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../util/project-root';

/** The pinned broker release (kafka-tools for benchmarks comes from the same release). */
export const KAFKA_VERSION = '4.3.1';


export function kafkaCacheDir(): string {
  return process.env.PUNCTUAL_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'punctual');
}

/** Returns the folder holding every jar of the pinned release, downloading it on first use. */
export async function ensureKafkaJars(log: (line: string) => void = () => undefined): Promise<string> {
  const libs = path.join(kafkaCacheDir(), `kafka-${KAFKA_VERSION}`, 'libs');
  if (existsSync(libs)) return libs;
  const partial = `${libs}.partial-${process.pid}`;
  await mkdir(path.dirname(libs), { recursive: true });
  log(`fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${libs}`);
  await runMaven(['-q', '-B', '-f', path.join(projectRoot(), 'scripts', 'kafka', 'pom.xml'), `-Dkafka.version=${KAFKA_VERSION}`, 'dependency:copy-dependencies', `-DoutputDirectory=${partial}`]);
  try {
    await rename(partial, libs);
  } catch (error) {
    // Another process finished the same download first; its copy is as good as ours.
    await rm(partial, { recursive: true, force: true });
    if (!existsSync(libs)) throw error;
  }
  return libs;
}

function runMaven(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const mvn = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    mvn.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    mvn.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    mvn.on('error', (error) => reject(new Error(`cannot run Maven (mvn): ${error.message}; install Maven 3.6+`)));
    mvn.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`Maven could not fetch the Kafka jars (exit ${code}):\n${output.slice(-4000)}`)),
    );
  });
}
