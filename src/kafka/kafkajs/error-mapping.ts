/** Maps kafkajs errors to the port's error types. */
import { KafkaPortError, KafkaUnavailableError, RequestRefusedError, TransactionFailedError } from '../errors';

const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING']);
/** TxnOffsetCommit v3 refusals: the group has moved past the member's generation (KIP-447). */
const STALE_GENERATION_TYPES = new Set(['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);

/** A kafkajs error's fields that say what went wrong; kafkajs puts them anywhere down the cause chain. */
type KafkajsErrorFields = Error & { type?: unknown; code?: unknown; retriable?: unknown; originalError?: unknown; errors?: unknown };

/**
 * The error and every error it wraps, outermost first: kafkajs wraps broker errors in retry errors,
 * and a call about many topics fails with an aggregate of one error per topic.
 */
function causeChain(error: unknown): KafkajsErrorFields[] {
  const chain: KafkajsErrorFields[] = [];
  const pending: unknown[] = [error];
  while (pending.length > 0 && chain.length < 20) {
    const current = pending.shift();
    if (!(current instanceof Error)) continue;
    const fields = current as KafkajsErrorFields;
    chain.push(fields);
    pending.push(fields.originalError ?? fields.cause);
    if (Array.isArray(fields.errors)) pending.push(...(fields.errors as unknown[]));
  }
  return chain;
}

/** The broker error types (e.g. NOT_COORDINATOR) down the cause chain. */
export function brokerErrorTypes(error: unknown): string[] {
  return causeChain(error).flatMap(({ type }) => (typeof type === 'string' ? [type] : []));
}

/**
 * Whether a failed call may succeed when made again: kafkajs marks broker errors it considers
 * transient (a leader moving, a connection refused) as retriable, at the error or down its cause chain.
 */
export function isRetriable(error: unknown): boolean {
  return causeChain(error).some(({ retriable }) => retriable === true);
}

/** Broker refusals that come before anything is appended. */
const REFUSED_BEFORE_APPEND = new Set(['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION', 'NOT_ENOUGH_REPLICAS']);
/** kafkajs errors raised before a request is sent. */
const BEFORE_SENDING = new Set(['KafkaJSMetadataNotLoaded', 'KafkaJSTopicMetadataNotLoaded', 'KafkaJSBrokerNotFound']);

/**
 * Whether a failed produce certainly wrote nothing: the connection was refused, the request never
 * left, or the broker refused it before appending. A timeout or a connection lost mid-request may
 * have written everything.
 */
export function certainlyNotWritten(error: unknown): boolean {
  return causeChain(error).some(
    ({ code, type, name }) => code === 'ECONNREFUSED' || BEFORE_SENDING.has(name) || (typeof type === 'string' && REFUSED_BEFORE_APPEND.has(type)),
  );
}

export function transactionFailed(step: string, transactionalId: string, error: unknown): TransactionFailedError {
  const types = brokerErrorTypes(error);
  const fenced = types.some((type) => FENCED_TYPES.has(type));
  const staleGeneration = types.some((type) => STALE_GENERATION_TYPES.has(type));
  const reason = error instanceof Error ? error.message : String(error);
  const named = types.length > 0 ? ` (${[...new Set(types)].join(', ')})` : '';
  return new TransactionFailedError(`transaction ${step} failed for ${transactionalId}: ${reason}${named}`, fenced, { cause: error, staleGeneration });
}

export function unavailable(action: string, error: unknown): KafkaUnavailableError {
  const reason = error instanceof Error ? error.message : String(error);
  return new KafkaUnavailableError(`${action} failed: ${reason}`, { cause: error });
}

/**
 * Broker refusals that asking again will not change. INVALID_REPLICATION_FACTOR is not one: with
 * the broker's default replication, a topic cannot be created while too few brokers are up.
 */
const PERMANENT_REFUSALS = new Set(['INVALID_TOPIC_EXCEPTION', 'TOPIC_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED', 'GROUP_AUTHORIZATION_FAILED', 'POLICY_VIOLATION', 'INVALID_CONFIG']);

/**
 * A failed admin call (or any call that is not a produce or a transaction) as the port reports it:
 * refused when the broker said no for good, unavailable when kafkajs considers it transient, else
 * permanent.
 */
export function adminFailed(action: string, error: unknown): KafkaPortError {
  if (error instanceof KafkaPortError) return error;
  const refusal = brokerErrorTypes(error).find((type) => PERMANENT_REFUSALS.has(type));
  if (refusal) return new RequestRefusedError(`${action} refused: ${refusal}: ${refusalMessage(error, refusal)}`, refusal, { cause: error });
  if (isRetriable(error)) return unavailable(action, error);
  const reason = error instanceof Error ? error.message : String(error);
  return new KafkaPortError(`${action} failed: ${reason}`, false, { cause: error });
}

/** The message of the error in the chain that carries the refusal (an aggregate's own message says little). */
function refusalMessage(error: unknown, refusal: string): string {
  return causeChain(error).find(({ type }) => type === refusal)?.message ?? (error instanceof Error ? error.message : String(error));
}
