/**
 * The one port between Punctual and a Kafka client.
 *
 * Everything Punctual needs from Kafka goes through these interfaces: a consumer group with
 * assignment callbacks and its generation, a transactional producer (one per node) whose offsets
 * carry that generation, a plain acks=all producer, and an admin client. The only implementation today is kafkajs (src/kafka/kafkajs/, built by
 * kafkajs-port.ts); no kafkajs type may appear here, so a later swap to another client touches that
 * folder only. Every call fails with the errors of errors.ts: KafkaUnavailableError (retriable),
 * RequestRefusedError (refused for good), TransactionFailedError, or a permanent KafkaPortError.
 *
 * Offsets are plain numbers: exact up to 2^53, which no partition reaches.
 */

export interface TopicPartition {
  topic: string;
  partition: number;
}

export type Headers = Record<string, string>;

/** A record read from Kafka. `offset` is the record's own offset; the next one to read is offset + 1. */
export interface IncomingRecord {
  topic: string;
  partition: number;
  offset: number;
  /** CreateTime or LogAppendTime in epoch ms, as the topic is configured. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
}

/** A record to write. Without `partition`, the client partitions by key (murmur2, like the Java client). */
export interface OutgoingRecord {
  topic: string;
  key: string | null;
  value: string | Buffer | null;
  headers?: Headers;
  partition?: number;
}

/** Where a send landed: one entry per topic-partition written, `offset` of its first record. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
}

/** Input offsets to commit inside a transaction: `offset` is the next offset to consume. */
export interface OffsetCommit extends TopicPartition {
  offset: number;
}

/** A consumer-group member's generation as the group coordinator gave it at its last join. */
export interface GroupGeneration {
  generationId: number;
  memberId: string;
}

export interface Transaction {
  /** Resolves with where the records landed, one entry per topic-partition (offset of its first record). */
  send(records: OutgoingRecord[]): Promise<RecordMetadata[]>;
  /**
   * Commits consumer-group offsets atomically with the transaction (Kafka's sendOffsetsToTransaction).
   * With `generation` (KIP-447) the group coordinator refuses them once the group has moved past that
   * generation or no longer knows the member: the transaction fails (TransactionFailedError,
   * `staleGeneration`) and commits nothing.
   */
  sendOffsets(groupId: string, offsets: OffsetCommit[], generation?: GroupGeneration): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * A producer bound to one transactional.id. `connect()` registers the id with the transaction
 * coordinator, which fences any older producer with the same id and aborts its open transaction.
 * After a failed transaction (TransactionFailedError) the producer must be closed and a new one
 * created; it is never reused.
 */
export interface TransactionalProducer {
  readonly transactionalId: string;
  connect(): Promise<void>;
  beginTransaction(): Promise<Transaction>;
  close(): Promise<void>;
}

/**
 * A producer whose send resolves only when every in-sync replica has every record (acks=all). A send
 * that fails may still have written some of its records. It is retried, whole and with the
 * timestamps of its first attempt, only when its failure shows nothing was written (a record of
 * another partition in flight at the time may then land twice, as the same record).
 */
export interface Producer {
  connect(): Promise<void>;
  send(records: OutgoingRecord[]): Promise<RecordMetadata[]>;
  close(): Promise<void>;
}

export interface RecordBatch {
  topic: string;
  partition: number;
  records: IncomingRecord[];
}

/**
 * Callbacks of a group member. onAssigned and onRevoked never overlap each other; onRecords of one
 * partition come one at a time, in order, and only after the onAssigned that gave the partition.
 * onRecords of different partitions may run at the same time, also while an onRevoked runs: an owner
 * must finish (or refuse) its in-flight records when it gives a partition up.
 */
export interface GroupListener {
  /**
   * Called after every group join (a rebalance) with the partitions newly owned, possibly none.
   * Records of a partition arrive only after this resolves. A join calls onRejoining first (when
   * anything is owned), so an owner's work is held from the join until its assignment is applied.
   */
  onAssigned(partitions: TopicPartition[]): Promise<void>;
  /**
   * A heartbeat of the same generation ended a doubt (see onRejoining): nothing changed hands, every
   * owned partition is still this member's. Queued like onAssigned.
   */
  onMembershipConfirmed?(): Promise<void>;
  /** Partitions this member no longer owns, or all of them when it leaves the group. */
  onRevoked(partitions: TopicPartition[]): Promise<void>;
  /**
   * Records of one owned partition, read_committed, in offset order. `heartbeat` keeps the
   * membership alive inside long work.
   */
  onRecords(batch: RecordBatch, heartbeat: () => Promise<void>): Promise<void>;
  /**
   * The membership is in doubt and the owned partitions may already be another member's: a rebalance
   * began, or no heartbeat succeeded for a whole session timeout (the coordinator may have evicted
   * this member). The owner should start no new work on any partition until the next onAssigned
   * (partitions kept are not assigned again), onMembershipConfirmed or onRevoked. A consumer that crashed revokes everything
   * at once instead.
   */
  onRejoining?(): void;
}

export interface GroupConsumerOptions {
  groupId: string;
  topics: string[];
  listener: GroupListener;
  /** Where a partition without a committed offset starts. */
  fromBeginning: boolean;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Longest a fetch waits on the broker for new records (also bounds how long stop() waits for a fetch). Default 1000. */
  maxWaitMs?: number;
  /** An address advertised to the other members in the group metadata (Punctual: its HTTP URL). */
  advertisedAddress?: string;
  /**
   * Partition p of every topic subscribed goes to the same member (Punctual: a definitions partition
   * and the status partition of its schedules), balanced by partition number.
   */
  coPartitioned?: boolean;
}

/** A member of a consumer group as the coordinator describes it. */
export interface GroupMemberDescription {
  memberId: string;
  partitions: TopicPartition[];
  advertisedAddress?: string;
}

/**
 * A consumer-group member. Offsets are never committed by the consumer itself: Punctual commits
 * them inside transactions, so a new owner resumes exactly where the last committed transaction ended.
 */
export interface GroupConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Commits offsets outside any transaction, as this member (fails for partitions it does not own).
   * Only the at-least-once comparison mode uses it; Punctual itself commits inside transactions.
   */
  commitOffsets(offsets: OffsetCommit[]): Promise<void>;
  /**
   * The generation and member id of the last assignment applied: set only once onRevoked has
   * returned for the partitions that generation took away, so no owner of a revoked partition can
   * commit under it. Undefined before the first assignment and after a crash or stop.
   */
  generation(): GroupGeneration | undefined;
}

export interface PartitionReadOptions {
  topic: string;
  partition: number;
  fromOffset: number;
  /** Reading stops once a record at or past this offset is reached; that record is not delivered. */
  untilOffset: number;
  /** Records below untilOffset, read_committed, in offset order. */
  onRecords(records: IncomingRecord[]): Promise<void>;
  timeoutMs?: number;
}

export interface TopicTailOptions {
  topic: string;
  /**
   * Records of every partition from the beginning, read_committed; one partition's in offset order.
   * After a client restart some may come again. `nextOffset` is where the partition's reading stands
   * after them: past transaction markers too, so records may be empty (a batch of markers only).
   */
  onRecords(records: IncomingRecord[], position: { partition: number; nextOffset: number }): Promise<void>;
  /** Longest a fetch waits on the broker for new records. Default 500. */
  maxWaitMs?: number;
}

/** A reader of a whole topic that follows it forever, outside any group's ownership and committing nothing (a global table). */
export interface TopicTail {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  /** -1 takes the broker's num.partitions. */
  partitions: number;
  /** -1 takes the broker's default.replication.factor. */
  replicationFactor: number;
  config?: Record<string, string>;
}

export interface TopicDescription {
  topic: string;
  partitions: number;
}

export interface ClusterDescription {
  brokers: { nodeId: number; host: string; port: number }[];
  controllerId: number | null;
}

export interface Admin {
  connect(): Promise<void>;
  describeCluster(): Promise<ClusterDescription>;
  /** Existing topics among `topics`; absent ones are left out. */
  describeTopics(topics: string[]): Promise<TopicDescription[]>;
  createTopics(specs: TopicSpec[]): Promise<void>;
  /** Members of a stable group with their assignments and advertised addresses. */
  describeGroupMembers(groupId: string): Promise<GroupMemberDescription[]>;
  /** Committed offsets of a group (next offset to consume); -1 where nothing is committed. */
  fetchCommittedOffsets(groupId: string, topic: string): Promise<OffsetCommit[]>;
  /**
   * Committed offsets of `partitions` read with require_stable: while a transaction that commits
   * offsets for one of them is open, the read waits (up to `timeoutMs`, then KafkaUnavailableError)
   * instead of answering with the offset that transaction may replace. -1 where nothing is committed.
   */
  fetchStableOffsets(groupId: string, partitions: TopicPartition[], timeoutMs: number): Promise<OffsetCommit[]>;
  /** Per partition of `topic`, the offset after its last record (the high watermark). */
  endOffsets(topic: string): Promise<{ partition: number; offset: number }[]>;
  /** The transactional.ids with a transaction open on `partition` now (KIP-664). */
  openTransactions(partition: TopicPartition): Promise<string[]>;
  /** The transactional.ids starting with `prefix` whose transaction has been open for longer than `olderThanMs`. */
  transactionsOpenLongerThan(prefix: string, olderThanMs: number): Promise<string[]>;
  close(): Promise<void>;
}

export interface AdminOptions {
  /** A caller is waiting (an HTTP request): give up within a few seconds instead of retrying for half a minute. */
  interactive?: boolean;
}

/** Factory for every Kafka client Punctual uses. One instance per process and cluster. */
export interface KafkaPort {
  readonly brokers: string[];
  createAdmin(options?: AdminOptions): Admin;
  createProducer(): Producer;
  createTransactionalProducer(transactionalId: string): TransactionalProducer;
  createGroupConsumer(options: GroupConsumerOptions): GroupConsumer;
  /** The partition the client's partitioner picks for a key (murmur2, like the Java client). */
  partitionFor(key: string, partitionCount: number): number;
  /** Reads one partition from an offset, outside any consumer group's ownership (changelog restore). */
  readPartition(options: PartitionReadOptions): Promise<void>;
  /** Follows a whole topic from its beginning (the calendars' global table). */
  tailTopic(options: TopicTailOptions): TopicTail;
}
