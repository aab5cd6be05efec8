/**
 * Errors that cross the Kafka port. They say what the caller must do, not which client raised them.
 */

export class KafkaPortError extends Error {
  constructor(
    message: string,
    /** True when the same call may succeed if simply retried. */
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A transaction failed and its outcome on the broker may be unknown (fenced, concurrent transactions,
 * timeout). The producer must be closed and recreated; the partition's work must be redone from the
 * last committed state.
 */
export class TransactionFailedError extends KafkaPortError {
  constructor(
    message: string,
    /** True when another producer with the same transactional.id took over: the partition has moved. */
    readonly fenced: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, false, options);
  }
}

/** The cluster could not be reached or did not acknowledge in time. */
export class KafkaUnavailableError extends KafkaPortError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, true, options);
  }
}

/**
 * The cluster refused a request for a reason that asking again will not change: an invalid topic
 * name, authorization denied, a policy violation. `refusal` is the broker's error name.
 */
export class RequestRefusedError extends KafkaPortError {
  constructor(
    message: string,
    readonly refusal: string,
    options?: { cause?: unknown },
  ) {
    super(message, false, options);
  }
}
