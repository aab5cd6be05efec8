/**
 * Which partition of __consumer_offsets or __transaction_state holds a group's or a
 * transactional.id's state, as Kafka decides it (GroupCoordinator / TransactionStateManager
 * partitionFor): Utils.abs(key.hashCode()) % partitions. Its leader is the key's coordinator.
 */

/** java.lang.String#hashCode: 31-polynomial over UTF-16 code units, in 32-bit arithmetic. */
export function javaHashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

/** Kafka's Utils.abs(key.hashCode()) % partitions (Utils.abs maps Integer.MIN_VALUE to 0). */
export function coordinatorPartition(key: string, partitions: number): number {
  const hash = javaHashCode(key);
  return (hash === -2147483648 ? 0 : Math.abs(hash)) % partitions;
}
