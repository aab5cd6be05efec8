/** Maps kafkajs errors to the port's error types. */
import { KafkaPortError, KafkaUnavailableError, TransactionFailedError } from '../errors';

const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING']);

/** A kafkajs error's fields that say what went wrong; kafkajs puts them anywhere down the cause chain. */
type KafkajsErrorFields = Error & { type?: unknown; code?: unknown; retriable?: unknown; originalError?: unknown };

/** The error and every error it wraps (kafkajs wraps broker errors in retry errors), outermost first. */
function causeChain(error: unknown): KafkajsErrorFields[] {
  const chain: KafkajsErrorFields[] = [];
  for (let current: unknown = error; current instanceof Error && chain.length < 10; ) {
    const fields = current as KafkajsErrorFields;
    chain.push(fields);
    current = fields.originalError ?? fields.cause;
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
