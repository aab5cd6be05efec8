/**
 * Memory and restart with many pending schedules. A node with nothing gives the baseline resident
 * memory; then `pending` one-shots spread over 30 days plus one marker (a 100 ms frequency) are
 * applied, and resident memory is read again once the node is idle. Restart: the node is stopped and
 * started again on the same data folder (the checkpoint path); the figure is process spawn to the
 * first marker fire a read_committed consumer receives. Resident memory is read a third time on the
 * restarted node: it holds the same schedules without the heap and allocator growth of ingesting them.
 */
import type { KafkaPort } from '../kafka/port';
import { waitFor } from '../util/wait-for';
import { committedTotal, createAppendTimeTopic, produceDefinitions } from './bench-kafka';
import { BenchNode, nodeSetup, removeData } from './bench-node';
import { FireReader } from './fire-reader';
import { farFutureDefinition } from './ingest-scenario';
import { sleep } from '../util/sleep';

export interface MemoryRestartResult {
  pending: number;
  baselineRss: number;
  /** Right after ingesting the schedules. */
  rss: number;
  /** (rss - baselineRss) / pending. */
  bytesPerPending: number;
  /** The restarted node, holding the same schedules. */
  restartedRss: number;
  restartedBytesPerPending: number;
  /** Spawn to the first marker fire received. */
  restartMs: number;
  /** Marker fires received twice (must be 0). */
  duplicates: number;
}

const SETTLE_MS = 5_000;

export async function runMemoryRestart(port: KafkaPort, pending: number, log: (line: string) => void): Promise<MemoryRestartResult> {
  const setup = await nodeSetup(port);
  const markerTopic = `${setup.definitionsTopic}.marker`;
  await createAppendTimeTopic(port, markerTopic, 1);
  const reader = new FireReader(port, markerTopic, 1);
  await reader.start();
  let node = await BenchNode.start(setup);
  try {
    await sleep(SETTLE_MS);
    const baselineRss = node.rssBytes();
    const base = Date.now();
    await produceDefinitions(port, setup.definitionsTopic, pending, (i) => farFutureDefinition('mem', i, 'bench.never', base));
    await produceDefinitions(port, setup.definitionsTopic, 1, () => ({ host: 'marker', name: 'tick', action: 'INSERT', topic: markerTopic, frequency: { timeUnit: 'MILLISECONDS', time: 100 } }));
    await waitFor('every pending definition to be applied', async () => (await committedTotal(port, setup.groupId, setup.definitionsTopic)) >= pending + 1, {
      timeoutMs: 60 * 60_000,
      intervalMs: 500,
    });
    await waitFor('the marker to fire', () => reader.count > 0, { timeoutMs: 30_000 });
    await sleep(SETTLE_MS);
    const rss = node.rssBytes();
    log(`  ${pending} pending: resident ${mb(rss)} (empty node ${mb(baselineRss)})`);
    await node.stop();
    const before = reader.count;
    node = await BenchNode.start(setup);
    await waitFor('the first marker fire after the restart', () => reader.count > before, { timeoutMs: 120_000, intervalMs: 5 });
    const restartMs = (reader.receivedAt[before] as number) - node.spawnedAt;
    await sleep(SETTLE_MS);
    const restartedRss = node.rssBytes();
    log(`  restarted: first fire after ${restartMs} ms, resident ${mb(restartedRss)}`);
    const result: MemoryRestartResult = {
      pending,
      baselineRss,
      rss,
      bytesPerPending: (rss - baselineRss) / pending,
      restartedRss,
      restartedBytesPerPending: (restartedRss - baselineRss) / pending,
      restartMs,
      duplicates: 0,
    };
    result.duplicates = reader.duplicates;
    return result;
  } finally {
    await node.stop();
    await reader.stop();
    removeData(setup);
  }
}

export function mb(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}
