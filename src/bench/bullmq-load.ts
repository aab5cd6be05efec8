/**
 * The same offered load done by BullMQ: `rate` delayed jobs per second for `seconds`, all added before
 * the first is due (as Punctual's definitions are), with the worker in a second process. Lateness is
 * the worker seeing a job minus its due time.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Queue } from 'bullmq';
import { waitFor } from '../util/wait-for';
import { loadResult, type LoadResult } from './offered-load';

const ADD_CHUNK = 1_000;
const DRAIN_MS = 10_000;
/** Jobs the worker runs at once: BullMQ's lever for throughput. */
export const WORKER_CONCURRENCY = 100;

type WorkerMessage = { kind: 'ready' } | { kind: 'count'; count: number } | { kind: 'done'; dueAt: number[]; seenAt: number[] };

export async function runBullmqLoad(redisPort: number, rate: number, seconds: number): Promise<LoadResult> {
  const name = `bench-${rate}-${randomBytes(3).toString('hex')}`;
  const connection = { host: '127.0.0.1', port: redisPort };
  const worker = fork(path.join(__dirname, 'bullmq-worker.js'), [], {
    env: { ...process.env, REDIS_PORT: String(redisPort), QUEUE: name, CONCURRENCY: String(WORKER_CONCURRENCY) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let seen = 0;
  let ready = false;
  const done = new Promise<{ dueAt: number[]; seenAt: number[] }>((resolve, reject) => {
    worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'ready') ready = true;
      else if (message.kind === 'count') seen = message.count;
      else resolve(message);
    });
    worker.once('exit', (code) => reject(new Error(`the BullMQ worker exited with ${code} before reporting`)));
  });
  const queue = new Queue(name, { connection });
  try {
    await waitFor('the BullMQ worker to be ready', () => ready, { timeoutMs: 30_000 });
    const expected = rate * seconds;
    // Lead time for adding every job before the first is due.
    const firstDueAt = Date.now() + 2_000 + Math.ceil(expected / 10);
    for (let from = 0; from < expected; from += ADD_CHUNK) {
      const now = Date.now();
      const jobs = [];
      for (let j = from; j < Math.min(expected, from + ADD_CHUNK); j++) {
        const dueAt = firstDueAt + Math.floor((j * 1_000) / rate);
        jobs.push({ name: 'fire', data: { dueAt }, opts: { delay: Math.max(0, dueAt - now), removeOnComplete: true, removeOnFail: true } });
      }
      await queue.addBulk(jobs);
    }
    if (Date.now() > firstDueAt) process.stderr.write(`  warning: BullMQ jobs at ${rate}/s were still being added at the first due time\n`);
    await waitFor(`${expected} jobs`, () => seen >= expected || Date.now() > firstDueAt + seconds * 1_000 + DRAIN_MS, {
      timeoutMs: seconds * 1_000 + DRAIN_MS + 120_000,
      intervalMs: 100,
    });
    worker.send('stop');
    const { dueAt, seenAt } = await done;
    return loadResult('BullMQ', rate, seconds, expected, firstDueAt, { dueAt, receivedAt: seenAt, duplicates: 0 });
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    if (worker.exitCode === null) worker.kill('SIGKILL');
  }
}
