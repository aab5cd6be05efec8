/**
 * kafkajs asks the broker for a coordinator (FindCoordinator) before every transactional step:
 * five lookups per transaction of send, sendOffsets and commit (measured in
 * test/kafka/coordinator-cache.test.ts), half the requests a Punctual transaction makes.
 * Coordinators move only when a broker fails or leadership moves, so the clients of transactional
 * producers remember the answer for a short while. A stale answer costs retries until it expires,
 * never correctness: a broker that is not the coordinator refuses the request (NOT_COORDINATOR)
 * and kafkajs retries it.
 *
 * kafkajs has no hook for this, so the method is wrapped on its Cluster class (kafkajs-internals.ts).
 * Only clusters that have looked up a transaction coordinator use the cache, so consumers and
 * admins keep kafkajs' own behaviour.
 */

import { wrapKafkajsMethod } from './kafkajs-internals';

/** kafkajs' internal Cluster#findGroupCoordinatorMetadata. */
type LookUp = (this: object, request: { groupId: string; coordinatorType?: number }) => Promise<unknown>;

/** kafkajs' COORDINATOR_TYPES.TRANSACTION. */
const TRANSACTION_COORDINATOR = 1;

export const COORDINATOR_CACHE_MS = 1_000;

interface Remembered {
  answer: unknown;
  expiresAt: number;
}

const transactionalClusters = new WeakMap<object, Map<string, Remembered>>();

/** Wraps kafkajs' coordinator lookup once per process; returns false when kafkajs' internals are not as expected. */
export function installCoordinatorCache(): boolean {
  return wrapKafkajsMethod<LookUp>('kafkajs/src/cluster', 'findGroupCoordinatorMetadata', (lookUp) =>
    async function (this: object, request) {
      let cache = transactionalClusters.get(this);
      if (!cache && request.coordinatorType === TRANSACTION_COORDINATOR) transactionalClusters.set(this, (cache = new Map()));
      if (!cache) return lookUp.call(this, request);
      const key = `${request.coordinatorType ?? 0}:${request.groupId}`;
      const remembered = cache.get(key);
      if (remembered && remembered.expiresAt > Date.now()) return remembered.answer;
      const answer = await lookUp.call(this, request);
      cache.set(key, { answer, expiresAt: Date.now() + COORDINATOR_CACHE_MS });
      return answer;
    },
  );
}
