/** /metrics of a node that fired, dead-lettered and restored, against the real broker. */
import { httpApp, listen } from '../../src/api/http-app';
import { readCommittedUntil, testPort, uniqueName } from '../helpers/kafka';
import { anotherNode, definitionRecord, startNode, testConfig } from '../helpers/punctual';
import { waitFor } from '../../src/util/wait-for';

/** The value of one series, e.g. `punctual_definitions_ingested_total{result="applied"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

/** The sum over every label set of a metric. */
function sum(text: string, name: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((total, l) => total + Number(l.split(' ').pop()), 0);
}

test('metrics count fires, lateness, dead letters, ingest results, restores, owned partitions and buckets', async () => {
  const port = testPort();
  const config = testConfig();
  const node = await startNode(port, config);
  const server = await listen(httpApp({ node }), 0);
  try {
    const topic = uniqueName('out');
    const producer = port.createProducer();
    await producer.connect();
    await producer.send([
      definitionRecord(config.topics.definitions, { host: 'm', name: 'now', action: 'INSERT', at: new Date().toISOString(), topic }),
      definitionRecord(config.topics.definitions, { host: 'm', name: 'far', action: 'INSERT', at: new Date(Date.now() + 3 * 86_400_000).toISOString(), topic }),
      { topic: config.topics.definitions, key: 'm/bad', value: 'not json' },
    ]);
    await producer.close();
    await readCommittedUntil(port, topic, (records) => records.length >= 1);

    const scrape = async (): Promise<string> => (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    const text = await waitFor('dead letter counted', async () => {
      const body = await scrape();
      return sum(body, 'punctual_dead_letters_total') === 1 && sum(body, 'punctual_fires_total') === 1 ? body : undefined;
    });
    expect(sample(text, 'punctual_fire_lateness_seconds_count')).toBe(1);
    expect(sample(text, 'punctual_definitions_ingested_total{result="applied"}')).toBe(2);
    expect(sample(text, 'punctual_definitions_ingested_total{result="invalid"}')).toBe(1);
    expect(sample(text, 'punctual_owned_partitions')).toBe(config.topics.partitions);
    expect(sample(text, 'punctual_restore_seconds_count{path="full"}')).toBe(config.topics.partitions);
    expect(sum(text, 'punctual_schedules')).toBe(1);
    expect(sample(text, 'punctual_bucket_occupancy{level="day"}')).toBe(1);
    expect(sample(text, 'punctual_transaction_commit_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'punctual_rebalances_total')).toBe(1);

    // A second member joins: one more rebalance for the first node, its revocation and its
    // (empty) assignment counted together.
    const second = await startNode(port, anotherNode(config, 'b'));
    try {
      await waitFor('both nodes to own partitions', () => node.ownedPartitions().length > 0 && second.ownedPartitions().length > 0 && node.isReady());
      const after = await scrape();
      expect(sample(after, 'punctual_rebalances_total')).toBe(2);
      expect(sample(after, 'punctual_owned_partitions')).toBe(node.ownedPartitions().length);
    } finally {
      await second.stop();
    }
  } finally {
    await server.close();
    await node.stop();
  }
});
