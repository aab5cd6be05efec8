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
  /**
   * True when the group coordinator refused the offsets for a generation the group has moved past
   * (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID): the member's partitions may be another's by now.
   */
  readonly staleGeneration: boolean;

  constructor(
    message: string,
    /**
     * True when the producer's epoch was refused: another producer registered the same
     * transactional.id, or the coordinator timed the open transaction out (which bumps the epoch too).
     */
    readonly fenced: boolean,
    options?: { cause?: unknown; staleGeneration?: boolean },
  ) {
    super(message, false, options);
    this.staleGeneration = options?.staleGeneration ?? false;
  }
}

/** The cluster could not be reached or did not acknowledge in time. */
export class KafkaUnavailableError extends KafkaPortError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, true, options);
  }
}

/** Committed offsets stayed unstable: a transaction that commits offsets for them is still open. */
export class OffsetsUnstableError extends KafkaUnavailableError {}

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
