/**
 * kafkajs asks the broker for a coordinator (FindCoordinator) before every transactional step:
 * five lookups per transaction of send, sendOffsets and commit (measured in
 * test/kafka/coordinator-cache.test.ts), half the requests a Punctual transaction makes.
 * Coordinators move only when a broker fails or leadership moves, so the clients of transactional
 * producers remember the answer for a short while. A broker that refuses a coordinator request
 * (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE) or cannot be reached drops every remembered answer
 * naming it, so the next step asks again instead of being sent back to it until the answer expires.
 *
 * kafkajs has no hook for this, so methods are wrapped on its Cluster and Broker classes
 * (kafkajs-internals.ts). Only clusters that have looked up a transaction coordinator use the
 * cache, so consumers and admins keep kafkajs' own behaviour.
 */

import { wrapKafkajsMethod } from './kafkajs-internals';

/** kafkajs' internal Cluster#findGroupCoordinatorMetadata. */
type LookUp = (this: object, request: CoordinatorRequest) => Promise<unknown>;
type BrokerRequest = (this: { nodeId?: unknown }, ...args: never[]) => Promise<unknown>;

export interface CoordinatorRequest {
  groupId: string;
  coordinatorType?: number;
}

/** kafkajs' COORDINATOR_TYPES.TRANSACTION. */
const TRANSACTION_COORDINATOR = 1;

export const COORDINATOR_CACHE_MS = 1_000;

/** The requests only a coordinator answers (kafkajs' Broker methods). */
const COORDINATOR_REQUESTS = ['initProducerId', 'addPartitionsToTxn', 'addOffsetsToTxn', 'endTxn', 'txnOffsetCommit'];
/** kafkajs' names for NOT_COORDINATOR (16) and COORDINATOR_NOT_AVAILABLE (15). */
const NOT_THE_COORDINATOR = new Set(['NOT_COORDINATOR_FOR_GROUP', 'GROUP_COORDINATOR_NOT_AVAILABLE']);
const UNREACHABLE = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError']);

interface Remembered {
  answer: unknown;
  nodeId: unknown;
  rememberedAt: number;
  /** Orders lookups and refusals, which may fall in the same millisecond. */
  sequence: number;
}

/** Remembered coordinator answers, per kafkajs cluster; pure, with its own clock, so its rules are unit-tested. */
export class CoordinatorCache {
  private readonly clusters = new WeakMap<object, Map<string, Remembered>>();
  /** The sequence number of each broker's last refusal of a coordinator request (or failure to answer). */
  private readonly refused = new Map<unknown, number>();
  private sequence = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async lookUp(cluster: object, request: CoordinatorRequest, ask: () => Promise<unknown>): Promise<unknown> {
    let cache = this.clusters.get(cluster);
    if (!cache && request.coordinatorType === TRANSACTION_COORDINATOR) this.clusters.set(cluster, (cache = new Map()));
    if (!cache) return ask();
    const key = `${request.coordinatorType ?? 0}:${request.groupId}`;
    const remembered = cache.get(key);
    if (remembered && this.stillValid(remembered)) return remembered.answer;
    const rememberedAt = this.now();
    const sequence = ++this.sequence;
    const answer = await ask();
    cache.set(key, { answer, nodeId: coordinatorNodeId(answer), rememberedAt, sequence });
    return answer;
  }

  /** A broker's answer to a coordinator request failed with `error`: drop what names it when the error says it is not (or no longer) the coordinator. */
  requestFailed(nodeId: unknown, error: unknown): void {
    const { type, name } = (error ?? {}) as { type?: unknown; name?: unknown };
    if (NOT_THE_COORDINATOR.has(String(type)) || UNREACHABLE.has(String(name))) this.refused.set(nodeId, ++this.sequence);
  }

  private stillValid({ nodeId, rememberedAt, sequence }: Remembered): boolean {
    const refused = this.refused.get(nodeId);
    return this.now() < rememberedAt + COORDINATOR_CACHE_MS && (refused === undefined || refused < sequence);
  }
}

function coordinatorNodeId(answer: unknown): unknown {
  return (answer as { coordinator?: { nodeId?: unknown } } | undefined)?.coordinator?.nodeId;
}

/**
 * Wraps kafkajs' coordinator lookup and coordinator requests once per process; returns false when
 * kafkajs' internals are not as expected. `now` is for tests that must not depend on elapsed time.
 */
export function installCoordinatorCache(now: () => number = Date.now): boolean {
  const cache = new CoordinatorCache(now);
  const cached = wrapKafkajsMethod<LookUp>('coordinator-cache', 'kafkajs/src/cluster', 'findGroupCoordinatorMetadata', (lookUp) =>
    async function (this: object, request) {
      return cache.lookUp(this, request, () => lookUp.call(this, request));
    },
  );
  if (!cached) return false;
  return COORDINATOR_REQUESTS.every((method) =>
    wrapKafkajsMethod<BrokerRequest>('coordinator-cache', 'kafkajs/src/broker', method, (send) =>
      async function (this: { nodeId?: unknown }, ...args: never[]) {
        try {
          return await send.apply(this, args);
        } catch (error) {
          cache.requestFailed(this.nodeId, error);
          throw error;
        }
      },
    ),
  );
}
