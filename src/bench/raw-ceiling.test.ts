import { parseSummary } from './raw-ceiling';

test("ProducerPerformance's summary line is read into figures", () => {
  const output = [
    '83456 records sent, 16691.2 records/sec (1.59 MB/sec), 950.1 ms avg latency, 1520.0 ms max latency.',
    '1000000 records sent, 280898.876404 records/sec (26.79 MB/sec), 101.23 ms avg latency, 830.00 ms max latency, 80 ms 50th, 300 ms 95th, 512 ms 99th, 800 ms 99.9th.',
  ].join('\n');
  expect(parseSummary(100, output)).toEqual({ recordSize: 100, recordsPerSecond: 280898.876404, megabytesPerSecond: 26.79, averageLatencyMs: 101.23, p99LatencyMs: 512 });
});

test('output without a summary is an error that shows the output', () => {
  expect(() => parseSummary(100, 'Exception in thread "main"')).toThrow('no ProducerPerformance summary');
});
