import { ensureInternalTopics, TopicMismatchError } from '../../src/cluster/internal-topics';
import { createTopic, testPort } from '../helpers/kafka';
import { testConfig } from '../helpers/punctual';

test('missing internal topics are created with the configured partitions, and existing ones are left alone', async () => {
  const port = testPort();
  const config = testConfig({ PUNCTUAL_PARTITIONS: '4' });
  const admin = port.createAdmin();
  await admin.connect();
  try {
    const created = await ensureInternalTopics(admin, config);
    expect(created.sort()).toEqual([config.topics.changelog, config.topics.definitions, config.topics.dlq, config.topics.status, config.topics.executionsDlq, config.topics.calendars].sort());
    // The status topic lines up with the definitions, partition for partition; the calendars are one global table.
    const described = await admin.describeTopics([config.topics.definitions, config.topics.changelog, config.topics.status, config.topics.calendars]);
    expect(Object.fromEntries(described.map((topic) => [topic.topic, topic.partitions]))).toEqual({
      [config.topics.definitions]: 4,
      [config.topics.changelog]: 4,
      [config.topics.status]: 4,
      [config.topics.calendars]: 1,
    });
    expect(await ensureInternalTopics(admin, config)).toEqual([]);
  } finally {
    await admin.close();
  }
});

test('an existing definitions topic with another partition count stops start-up with a clear error', async () => {
  const port = testPort();
  const config = testConfig({ PUNCTUAL_PARTITIONS: '4' });
  await createTopic(port, config.topics.definitions, 2);
  const admin = port.createAdmin();
  await admin.connect();
  try {
    const failure = await ensureInternalTopics(admin, config).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TopicMismatchError);
    expect((failure as Error).message).toBe(
      `topic ${config.topics.definitions} has 2 partitions but 4 are configured (PUNCTUAL_PARTITIONS); refusing to start`,
    );
    expect(await admin.describeTopics([config.topics.changelog])).toEqual([]);
  } finally {
    await admin.close();
  }
});
