/** Where a partition's store stands relative to Kafka. */

/** Where the store stands relative to Kafka: every changelog record below `changelogOffset` is applied. */
export interface Checkpoint {
  changelogTopic: string;
  changelogPartition: number;
  changelogOffset: number;
  /** The next definitions offset to consume, as the changelog below changelogOffset last recorded it; absent before any. */
  inputOffset?: number;
  /** The same for the status partition. */
  statusOffset?: number;
}
