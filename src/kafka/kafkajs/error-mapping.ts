/** Maps kafkajs errors to the port's error types. */
import { KafkaPortError, KafkaUnavailableError, TransactionFailedError } from '../errors';

const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING']);

/** kafkajs wraps the broker's error in retry errors; the broker's error `type` sits somewhere down the cause chain. */
export function brokerErrorTypes(error: unknown): string[] {
  const types: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 10; depth++) {
    const type = (current as Error & { type?: unknown }).type;
    if (typeof type === 'string') types.push(type);
    current = (current as Error & { originalError?: unknown }).originalError ?? current.cause;
  }
  return types;
}

/**
 * Whether a failed call may succeed when made again: kafkajs marks broker errors it considers
 * transient (a leader moving, a connection refused) as retriable, at the error or down its cause chain.
 */
export function isRetriable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 10; depth++) {
    if ((current as Error & { retriable?: unknown }).retriable === true) return true;
    current = (current as Error & { originalError?: unknown }).originalError ?? current.cause;
  }
  return false;
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
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 10; depth++) {
    const { code, type } = current as Error & { code?: unknown; type?: unknown };
    if (code === 'ECONNREFUSED' || BEFORE_SENDING.has(current.name) || (typeof type === 'string' && REFUSED_BEFORE_APPEND.has(type))) return true;
    current = (current as Error & { originalError?: unknown }).originalError ?? current.cause;
  }
  return false;
}

export function transactionFailed(step: string, transactionalId: string, error: unknown): TransactionFailedError {
  const fenced = brokerErrorTypes(error).some((type) => FENCED_TYPES.has(type));
  const reason = error instanceof Error ? error.message : String(error);
  return new TransactionFailedError(`transaction ${step} failed for ${transactionalId}: ${reason}`, fenced, { cause: error });
}

export function unavailable(action: string, error: unknown): KafkaUnavailableError {
  const reason = error instanceof Error ? error.message : String(error);
  return new KafkaUnavailableError(`${action} failed: ${reason}`, { cause: error });
}

/** A failed admin call as the port reports it: unavailable when kafkajs considers it transient, else permanent. */
export function adminFailed(action: string, error: unknown): KafkaPortError {
  if (error instanceof KafkaPortError) return error;
  if (isRetriable(error)) return unavailable(action, error);
  const reason = error instanceof Error ? error.message : String(error);
  return new KafkaPortError(`${action} failed: ${reason}`, false, { cause: error });
}
