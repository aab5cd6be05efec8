/** The admin side of the port over kafkajs. */
import { AssignerProtocol, type Admin as KafkajsAdmin, type Kafka } from 'kafkajs';
import type { Admin, ClusterDescription, GroupMemberDescription, OffsetCommit, TopicDescription, TopicSpec } from '../port';
import { advertisedAddressOf } from './sticky-assigner';
import { unavailable } from './error-mapping';
import { waitForTopicLeaders } from './topic-leaders';

export class KafkajsAdminClient implements Admin {
  private readonly admin: KafkajsAdmin;

  constructor(kafka: Kafka) {
    this.admin = kafka.admin();
  }

  async connect(): Promise<void> {
    try {
      await this.admin.connect();
    } catch (error) {
      throw unavailable('admin connect', error);
    }
  }

  async describeCluster(): Promise<ClusterDescription> {
    const cluster = await this.admin.describeCluster();
    return {
      brokers: cluster.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })),
      controllerId: cluster.controller,
    };
  }

  async describeTopics(topics: string[]): Promise<TopicDescription[]> {
    const existing = new Set(await this.admin.listTopics());
    const present = topics.filter((topic) => existing.has(topic));
    if (present.length === 0) return [];
    const metadata = await this.admin.fetchTopicMetadata({ topics: present });
    return metadata.topics.map((topic) => ({ topic: topic.name, partitions: topic.partitions.length }));
  }

  async createTopics(specs: TopicSpec[]): Promise<void> {
    await this.admin.createTopics({
      waitForLeaders: false,
      topics: specs.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.partitions,
        replicationFactor: spec.replicationFactor,
        configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    const topics = specs.map((spec) => spec.topic);
    await waitForTopicLeaders(topics, async () => {
      const metadata = await this.admin.fetchTopicMetadata({ topics });
      return metadata.topics.flatMap((topic) => topic.partitions.map((partition) => partition.leader));
    });
  }

  async deleteTopics(topics: string[]): Promise<void> {
    await this.admin.deleteTopics({ topics });
  }

  async describeGroupMembers(groupId: string): Promise<GroupMemberDescription[]> {
    const { groups } = await this.admin.describeGroups([groupId]);
    const members = groups[0]?.members ?? [];
    return members.map((member) => {
      const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      const partitions = Object.entries(assignment?.assignment ?? {}).flatMap(([topic, numbers]) => numbers.map((partition) => ({ topic, partition })));
      const address = advertisedAddressOf(member.memberMetadata);
      return { memberId: member.memberId, partitions, ...(address ? { advertisedAddress: address } : {}) };
    });
  }

  async fetchCommittedOffsets(groupId: string, topic: string): Promise<OffsetCommit[]> {
    const [result] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return (result?.partitions ?? []).map(({ partition, offset }) => ({ topic, partition, offset: Number(offset) }));
  }

  async close(): Promise<void> {
    await this.admin.disconnect();
  }
}
