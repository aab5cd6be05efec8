/**
 * Offered load on a running Punctual node: `rate` frequency schedules, each every second, their starts
 * spread evenly over the first second, ending after `seconds`. Misfire fire-all, so an overloaded node
 * shows as lateness, never as fewer fires. A read_committed reader here measures arrivals.
 */
import { randomBytes } from 'node:crypto';
import type { KafkaPort } from '../kafka/port';
import { waitFor } from '../util/wait-for';
import { produceDefinitions } from './bench-kafka';
import { FireReader } from './fire-reader';
import { loadResult, type LoadResult } from './offered-load';
import { sleep } from '../util/sleep';

export interface PunctualTarget {
  port: KafkaPort;
  definitionsTopic: string;
  /** Where every load's events go (LogAppendTime): one long-lived topic, as in service. */
  eventsTopic: string;
  label: string;
  /** Fields every definition gets besides its timing (--time-rules: windows and exclude). */
  extraFields?: Record<string, unknown>;
}

const PERIOD_MS = 1_000;
/** Time after the last arrival expected within which stragglers still count. */
const DRAIN_MS = 10_000;

export async function runPunctualLoad(target: PunctualTarget, rate: number, seconds: number): Promise<LoadResult> {
  const { port } = target;
  const host = `load${rate}-${randomBytes(3).toString('hex')}`;
  const topic = target.eventsTopic;
  const reader = new FireReader(port, topic, 12, `${host}/`);
  await reader.start();
  try {
    // Lead time for producing and ingesting the definitions before the first is due.
    const firstDueAt = Date.now() + 2_000 + Math.ceil(rate / 8);
    const end = new Date(firstDueAt + seconds * PERIOD_MS).toISOString();
    await produceDefinitions(port, target.definitionsTopic, rate, (i) => ({
      host,
      name: `s${i}`,
      action: 'INSERT',
      topic,
      frequency: { timeUnit: 'MILLISECONDS', time: PERIOD_MS },
      start: new Date(firstDueAt + Math.floor((i * PERIOD_MS) / rate)).toISOString(),
      end,
      misfire: 'fire-all',
      ...target.extraFields,
    }));
    if (Date.now() > firstDueAt) process.stderr.write(`  warning: ${rate}/s definitions were still being written at the first due time\n`);
    const expected = rate * seconds;
    await waitFor(`${expected} fires`, () => reader.count >= expected || Date.now() > firstDueAt + seconds * PERIOD_MS + DRAIN_MS, {
      timeoutMs: seconds * PERIOD_MS + DRAIN_MS + 60_000,
      intervalMs: 100,
    });
    // Late duplicates would show here.
    await sleep(300);
    return loadResult(target.label, rate, seconds, expected, firstDueAt, { dueAt: reader.scheduledAt, receivedAt: reader.receivedAt, appendedAt: reader.appendedAt, duplicates: reader.duplicates });
  } finally {
    await reader.stop();
  }
}
