/**
 * Ingest: N far-future definitions written before the node starts, then the node's own rate from its
 * ready line until every offset is committed (read, validated, stored, changelogged, committed).
 */
import type { KafkaPort } from '../kafka/port';
import { waitFor } from '../util/wait-for';
import { committedTotal, produceDefinitions } from './bench-kafka';
import { BenchNode, nodeSetup, removeData } from './bench-node';

const DAY_MS = 86_400_000;

/** A one-shot due some time in the next 30 days, after the benchmark is over. */
export function farFutureDefinition(host: string, i: number, topic: string, base: number): Record<string, unknown> {
  return { host, name: `s${i}`, action: 'INSERT', topic, at: new Date(base + DAY_MS + ((i * 2_591_999) % (29 * DAY_MS))).toISOString() };
}

export async function runIngest(port: KafkaPort, count: number): Promise<number> {
  const setup = await nodeSetup(port);
  const base = Date.now();
  await produceDefinitions(port, setup.definitionsTopic, count, (i) => farFutureDefinition('ingest', i, 'bench.never', base));
  const node = await BenchNode.start(setup);
  try {
    const readyAt = Date.now();
    let doneAt = 0;
    await waitFor(
      'every definition to be applied',
      async () => (await committedTotal(port, setup.groupId, setup.definitionsTopic)) >= count && (doneAt = Date.now()) > 0,
      { timeoutMs: 30 * 60_000, intervalMs: 100 },
    );
    return Math.round(count / ((doneAt - readyAt) / 1000));
  } finally {
    await node.stop();
    removeData(setup);
  }
}
