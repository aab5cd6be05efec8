/**
 * Replacing a method of one of kafkajs' internal classes, for the gaps kafkajs offers no hook for
 * (coordinator-cache.ts, concurrent-transactions.ts, aborted-transactions.ts). kafkajs is pinned to
 * 2.2.4, its last release, the only version these replacements were proven against. With another
 * version, a module that moved, or a class or method that is not there, nothing is replaced and the
 * caller is told so: the node then warns and runs without the replacement.
 */
type Method = (this: object, ...args: never[]) => Promise<unknown>;

/** The kafkajs release whose internals the replacements were written and tested against. */
export const KAFKAJS_VERSION = '2.2.4';

const replaced = new Set<string>();

/**
 * Replaces `method` on the prototype of the class `modulePath` exports with what `wrap` makes of the
 * original, once per process and `replacement` (several replacements may wrap one method, each
 * around the ones before). Returns false when kafkajs is not `expectedVersion` or its internals are
 * not as expected.
 */
export function wrapKafkajsMethod<M extends Method>(replacement: string, modulePath: string, method: string, wrap: (original: M) => M, expectedVersion = KAFKAJS_VERSION): boolean {
  const key = `${replacement}:${modulePath}#${method}`;
  if (replaced.has(key)) return true;
  if (installedKafkajsVersion() !== expectedVersion) return false;
  const prototype = requireOptional(modulePath)?.prototype;
  const original = prototype?.[method];
  if (!prototype || typeof original !== 'function') return false;
  prototype[method] = wrap(original as M);
  replaced.add(key);
  return true;
}

export function installedKafkajsVersion(): string | undefined {
  const version = (requireOptional('kafkajs/package.json') as { version?: unknown } | undefined)?.version;
  return typeof version === 'string' ? version : undefined;
}

/** A kafkajs module, or undefined when it is not where 2.2.4 keeps it. */
function requireOptional(modulePath: string): { prototype?: Record<string, unknown> } | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(modulePath) as { prototype?: Record<string, unknown> };
  } catch {
    // Whatever stops it from loading, the internals are not the ones the replacements know.
    return undefined;
  }
}

/** A kafkajs Broker as the replacements see it: its negotiated API versions, and the request sender kafkajs keeps private. */
export interface KafkajsBroker {
  nodeId?: unknown;
  versions?: Record<number, { minVersion: number; maxVersion: number }> | null;
}

/** The highest version of API `apiKey` the broker speaks, or -1 when it does not (or has not told yet). */
export function brokerMaxVersion(broker: KafkajsBroker, apiKey: number): number {
  return broker.versions?.[apiKey]?.maxVersion ?? -1;
}

/**
 * Sends a request kafkajs has no encoder for over the broker's own connection pool, through the
 * method kafkajs keeps under a private symbol (src/broker/index.js, 'private:Broker:sendRequest').
 */
export async function sendOverBroker<R>(broker: KafkajsBroker, protocolRequest: unknown): Promise<R> {
  const send = privateMember(broker, 'private:Broker:sendRequest');
  if (typeof send !== 'function') throw new Error(`kafkajs ${installedKafkajsVersion() ?? ''} has no Broker sendRequest: its internals are not ${KAFKAJS_VERSION}'s`);
  return (await (send as (request: unknown) => Promise<unknown>).call(broker, protocolRequest)) as R;
}

/** A kafkajs Cluster as stable-offsets.ts and open-transactions.ts use it. */
export interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<KafkajsBroker>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  /** Leader node id -> partitions it leads. */
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(request: { nodeId: string | number }): Promise<KafkajsBroker>;
  getNodeIds(): (string | number)[];
}

/** A cluster client of its own from a kafkajs Kafka instance (the factory kafkajs keeps under 'private:Kafka:createCluster'). */
export function createKafkajsCluster(kafka: object): KafkajsCluster {
  const create = privateMember(kafka, 'private:Kafka:createCluster');
  if (typeof create !== 'function') throw new Error(`kafkajs ${installedKafkajsVersion() ?? ''} has no createCluster: its internals are not ${KAFKAJS_VERSION}'s`);
  return (create as (options: object) => KafkajsCluster)({ allowAutoTopicCreation: false });
}

/** A member kafkajs keeps under a Symbol with this description, on the object or its prototypes. */
function privateMember(target: object, description: string): unknown {
  for (let current: object | null = target; current; current = Object.getPrototypeOf(current) as object | null) {
    const symbol = Object.getOwnPropertySymbols(current).find((s) => s.description === description);
    if (symbol) return (current as Record<symbol, unknown>)[symbol];
  }
  return undefined;
}
