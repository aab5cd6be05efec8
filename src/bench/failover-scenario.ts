/**
 * Failover: two nodes share 100 schedules firing every 100 ms; one is killed with SIGKILL. The figure
 * is the longest silence of any schedule across the kill, minus its period: how long executors wait
 * for the fires the dead node owned. Fires received twice are counted (must be 0).
 */
import type { KafkaPort } from '../kafka/port';
import { waitFor } from '../util/wait-for';
import { createAppendTimeTopic, produceDefinitions } from './bench-kafka';
import { BenchNode, nodeSetup, removeData } from './bench-node';
import { FireReader } from './fire-reader';
import { sleep } from '../util/sleep';

export interface FailoverResult {
  failoverMs: number;
  sessionTimeoutMs: number;
  duplicates: number;
}

const SCHEDULES = 100;
const PERIOD_MS = 100;

export async function runFailover(port: KafkaPort, sessionTimeoutMs: number): Promise<FailoverResult> {
  const setup = await nodeSetup(port, { PUNCTUAL_SESSION_TIMEOUT_MS: String(sessionTimeoutMs) });
  const topic = `${setup.definitionsTopic}.failover`;
  await createAppendTimeTopic(port, topic);
  const reader = new FireReader(port, topic);
  await reader.start();
  const survivor = await BenchNode.start(setup, 'a');
  const victim = await BenchNode.start(setup, 'b');
  try {
    const admin = port.createAdmin();
    await admin.connect();
    await waitFor('both nodes to own partitions', async () => {
      const members = await admin.describeGroupMembers(setup.groupId);
      return members.length === 2 && members.every((m) => m.partitions.length > 0);
    }, { timeoutMs: 60_000, intervalMs: 200 });
    await admin.close();
    await produceDefinitions(port, setup.definitionsTopic, SCHEDULES, (i) => ({ host: 'failover', name: `s${i}`, action: 'INSERT', topic, frequency: { timeUnit: 'MILLISECONDS', time: PERIOD_MS } }));
    await waitFor('every schedule to fire', () => new Set(reader.scheduleIds).size >= SCHEDULES, { timeoutMs: 60_000 });
    await sleep(2_000);
    const killedAt = Date.now();
    const seenBefore = reader.count;
    await victim.kill();
    // Every schedule fires again after the kill once the survivor took the dead node's partitions.
    const last = lastArrivalById(reader, 0, seenBefore);
    await waitFor('every schedule to fire after the kill', () => firstArrivalById(reader, seenBefore).size >= last.size, { timeoutMs: 120_000, intervalMs: 200 });
    const first = firstArrivalById(reader, seenBefore);
    let longest = 0;
    for (const [id, lastBefore] of last) longest = Math.max(longest, (first.get(id) ?? killedAt) - lastBefore - PERIOD_MS);
    await sleep(1_000);
    return { failoverMs: longest, sessionTimeoutMs, duplicates: reader.duplicates };
  } finally {
    await victim.kill();
    await survivor.stop();
    await reader.stop();
    removeData(setup);
  }
}

function lastArrivalById(reader: FireReader, from: number, to: number): Map<string, number> {
  const last = new Map<string, number>();
  for (let i = from; i < to; i++) last.set((reader.scheduleIds[i] as string), reader.receivedAt[i] as number);
  return last;
}

function firstArrivalById(reader: FireReader, from: number): Map<string, number> {
  const first = new Map<string, number>();
  for (let i = from; i < reader.count; i++) if (!first.has((reader.scheduleIds[i] as string))) first.set((reader.scheduleIds[i] as string), reader.receivedAt[i] as number);
  return first;
}
