/**
 * Creates Punctual's internal topics when missing and refuses to start when an existing one has the
 * wrong partition count (schedule ids would hash to other partitions than their state).
 */
import type { PunctualConfig } from '../config/config';
import type { Admin, TopicSpec } from '../kafka/port';

export class TopicMismatchError extends Error {
  constructor(
    readonly topic: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`topic ${topic} has ${actual} partitions but ${expected} are configured (PUNCTUAL_PARTITIONS); refusing to start`);
    this.name = 'TopicMismatchError';
  }
}

export function internalTopicSpecs(config: PunctualConfig): TopicSpec[] {
  const { topics } = config;
  const compacted = { 'cleanup.policy': 'compact' };
  return [
    { topic: topics.definitions, partitions: topics.partitions, replicationFactor: topics.replicationFactor, config: compacted },
    { topic: topics.changelog, partitions: topics.partitions, replicationFactor: topics.replicationFactor, config: compacted },
    // Keyed by schedule id like the definitions, so its partitions line up with theirs.
    { topic: topics.status, partitions: topics.partitions, replicationFactor: topics.replicationFactor },
    // The DLQs keep records for inspection under the broker's retention; their partition count is free.
    { topic: topics.dlq, partitions: topics.partitions, replicationFactor: topics.replicationFactor },
    { topic: topics.executionsDlq, partitions: topics.partitions, replicationFactor: topics.replicationFactor },
    // A global table every node reads in full: one partition is plenty, and keeps the calendars in one order.
    { topic: topics.calendars, partitions: 1, replicationFactor: topics.replicationFactor, config: compacted },
  ];
}

/** Returns the topics it created. */
export async function ensureInternalTopics(admin: Admin, config: PunctualConfig): Promise<string[]> {
  const specs = internalTopicSpecs(config);
  const existing = await admin.describeTopics(specs.map((spec) => spec.topic));
  for (const spec of specs) {
    const found = existing.find((topic) => topic.topic === spec.topic);
    const partitionsMatter = spec.topic !== config.topics.dlq && spec.topic !== config.topics.executionsDlq && spec.topic !== config.topics.calendars;
    if (found && partitionsMatter && found.partitions !== spec.partitions) {
      throw new TopicMismatchError(spec.topic, spec.partitions, found.partitions);
    }
  }
  const missing = specs.filter((spec) => !existing.some((topic) => topic.topic === spec.topic));
  if (missing.length > 0) await admin.createTopics(missing);
  return missing.map((spec) => spec.topic);
}
