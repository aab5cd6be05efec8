/** server.properties for a local KRaft node (each node is broker and controller). */

export interface KraftNode {
  nodeId: number;
  brokerPort: number;
  /** The port clients are told to use, when a proxy stands in front of the broker. */
  advertisedPort?: number;
  controllerPort: number;
  logDir: string;
}

/** Partitions of __consumer_offsets in a local cluster (the broker's default is 50; fewer load faster). */
export const OFFSETS_TOPIC_PARTITIONS = 10;

export function kraftProperties(node: KraftNode, cluster: KraftNode[], overrides: Record<string, string | number> = {}): string {
  const voters = cluster.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(',');
  const replication = Math.min(3, cluster.length);
  const properties: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': node.nodeId,
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://127.0.0.1:${node.brokerPort},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${node.advertisedPort ?? node.brokerPort}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': node.logDir,
    'num.partitions': 1,
    'default.replication.factor': replication,
    'min.insync.replicas': replication > 1 ? 2 : 1,
    'offsets.topic.replication.factor': replication,
    'offsets.topic.num.partitions': OFFSETS_TOPIC_PARTITIONS,
    'transaction.state.log.replication.factor': replication,
    'transaction.state.log.min.isr': replication > 1 ? 2 : 1,
    'transaction.state.log.num.partitions': 10,
    'auto.create.topics.enable': 'false',
    // Tests join groups constantly and fail members over on purpose: no join delay, short sessions allowed.
    'group.initial.rebalance.delay.ms': 0,
    'group.min.session.timeout.ms': 1000,
    'log.segment.bytes': 64 * 1024 * 1024,
  };
  return Object.entries({ ...properties, ...overrides })
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')
    .concat('\n');
}
