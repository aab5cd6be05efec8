/**
 * The three-node local cluster: every node is controller and broker, a topic with replication
 * factor 3 takes acks=all writes, and stop() leaves no JVM behind.
 */
import { LocalKafka } from '../../src/dev/local-kafka';
import { isAlive } from '../helpers/processes';
import { readCommitted, testPort, uniqueName, valueOf } from '../helpers/kafka';

jest.setTimeout(180_000);

test('a replication-factor-3 topic on the three-broker cluster takes and serves records', async () => {
  const cluster = await LocalKafka.start({ brokers: 3, heapMb: 384 });
  const pids = cluster.brokerPids;
  try {
    const brokers = cluster.bootstrap.split(',');
    expect(brokers).toHaveLength(3);
    const port = testPort(brokers);
    const admin = port.createAdmin();
    await admin.connect();
    const topic = uniqueName('rf3');
    try {
      expect((await admin.describeCluster()).brokers).toHaveLength(3);
      await admin.createTopics([{ topic, partitions: 3, replicationFactor: 3 }]);
    } finally {
      await admin.close();
    }
    const producer = port.createProducer();
    await producer.connect();
    await producer.send([0, 1, 2].map((partition) => ({ topic, key: `k${partition}`, value: `v${partition}`, partition })));
    await producer.close();
    const records = await readCommitted(port, topic, 3);
    expect(records.map(valueOf).sort()).toEqual(['v0', 'v1', 'v2']);
  } finally {
    await cluster.stop();
  }
  for (const pid of pids) expect(isAlive(pid)).toBe(false);
});
