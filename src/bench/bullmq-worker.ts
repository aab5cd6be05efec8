/**
 * The BullMQ worker of the comparison, run as its own process (as an executor would be). It notes
 * when it sees each job (its due time travels in the job data), reports its count while running, and
 * sends every (due, seen) pair to the parent when told to stop.
 * Env: REDIS_PORT, QUEUE, CONCURRENCY.
 */
import { Worker } from 'bullmq';

const dueAt: number[] = [];
const seenAt: number[] = [];
const connection = { host: '127.0.0.1', port: Number(process.env.REDIS_PORT) };
const worker = new Worker(
  String(process.env.QUEUE),
  async (job) => {
    seenAt.push(Date.now());
    dueAt.push(Number((job.data as { dueAt: number }).dueAt));
  },
  { connection, concurrency: Number(process.env.CONCURRENCY ?? 100), removeOnComplete: { count: 0 }, removeOnFail: { count: 0 } },
);

const send = (message: unknown): void => void process.send?.(message);
const counter = setInterval(() => send({ kind: 'count', count: seenAt.length }), 200);

process.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(counter);
  void worker.close().then(() => {
    // Disconnect only once the (large) report is written, or it would be cut off.
    process.send?.({ kind: 'done', dueAt, seenAt }, undefined, {}, () => process.disconnect?.());
  });
});

void worker.waitUntilReady().then(() => send({ kind: 'ready' }));
