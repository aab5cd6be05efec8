/**
 * `npm run measure:http [-- URL [N]]`: request latency of a running node (default
 * http://127.0.0.1:8080, N = 500): N sequential POST /schedulers INSERTs (each answered after Kafka's
 * acks=all) and N GET /v1/schedules/{host}/{name}, reporting p50, p99 and max.
 */
import { randomBytes } from 'node:crypto';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function report(label: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const format = (ms: number): string => `${ms.toFixed(2)} ms`;
  console.log(`${label}: n=${sorted.length} p50=${format(percentile(sorted, 50))} p99=${format(percentile(sorted, 99))} max=${format(sorted[sorted.length - 1] ?? NaN)}`);
}

async function timed(request: () => Promise<Response>, expected: number): Promise<number> {
  const started = performance.now();
  const response = await request();
  await response.arrayBuffer();
  if (response.status !== expected) throw new Error(`expected ${expected}, got ${response.status}`);
  return performance.now() - started;
}

async function main(): Promise<void> {
  const url = process.argv[2] ?? 'http://127.0.0.1:8080';
  const count = Number(process.argv[3] ?? 500);
  const host = `latency-${randomBytes(4).toString('hex')}`;
  const posts: number[] = [];
  for (let i = 0; i < count; i++) {
    const body = JSON.stringify({ host, name: `s${i}`, action: 'INSERT', at: '2035-01-01T00:00:00Z', topic: 'latency.out' });
    posts.push(await timed(() => fetch(`${url}/schedulers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }), 202));
  }
  // Let the last writes be applied before reading them back.
  await timed(() => fetch(`${url}/v1/schedules/${host}/s${count}?wait=applied`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ at: '2035-01-01T00:00:00Z', topic: 'latency.out' }) }), 200);
  const gets: number[] = [];
  for (let i = 0; i < count; i++) gets.push(await timed(() => fetch(`${url}/v1/schedules/${host}/s${i}`), 200));
  report('POST /schedulers (INSERT, acks=all)', posts);
  report('GET /v1/schedules/{host}/{name}', gets);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
