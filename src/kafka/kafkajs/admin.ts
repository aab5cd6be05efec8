/** The admin side of the port over kafkajs. */
import { AssignerProtocol, type Admin as KafkajsAdmin, type Kafka } from 'kafkajs';
import type { Admin, ClusterDescription, GroupMemberDescription, OffsetCommit, TopicDescription, TopicPartition, TopicSpec } from '../port';
import { advertisedAddressOf } from './sticky-assigner';
import { adminFailed, unavailable } from './error-mapping';
import { waitForTopicLeaders } from './topic-leaders';
import { createKafkajsCluster, type KafkajsCluster } from './kafkajs-internals';
import { fetchStableOffsets } from './stable-offsets';
import { openTransactionsOn, transactionsOpenLongerThan } from './open-transactions';

export class KafkajsAdminClient implements Admin {
  private readonly admin: KafkajsAdmin;
  /** A cluster client of its own for the requests kafkajs' admin cannot make (stable-offsets.ts), connected on first use. */
  private cluster: Promise<KafkajsCluster> | undefined;

  constructor(private readonly kafka: Kafka) {
    this.admin = kafka.admin();
  }

  async connect(): Promise<void> {
    try {
      await this.admin.connect();
    } catch (error) {
      throw unavailable('admin connect', error);
    }
  }

  describeCluster(): Promise<ClusterDescription> {
    return this.call('describe cluster', () => this.describeClusterNow());
  }

  describeTopics(topics: string[]): Promise<TopicDescription[]> {
    return this.call('describe topics', () => this.describeTopicsNow(topics));
  }

  createTopics(specs: TopicSpec[]): Promise<void> {
    return this.call('create topics', () => this.createTopicsNow(specs));
  }

  describeGroupMembers(groupId: string): Promise<GroupMemberDescription[]> {
    return this.call('describe group', () => this.describeGroupMembersNow(groupId));
  }

  fetchCommittedOffsets(groupId: string, topic: string): Promise<OffsetCommit[]> {
    return this.call('fetch committed offsets', () => this.fetchCommittedOffsetsNow(groupId, topic));
  }

  fetchStableOffsets(groupId: string, partitions: TopicPartition[], timeoutMs: number): Promise<OffsetCommit[]> {
    return this.call('fetch stable offsets', () => this.fetchStableOffsetsNow(groupId, partitions, timeoutMs));
  }

  endOffsets(topic: string): Promise<{ partition: number; offset: number }[]> {
    return this.call('fetch end offsets', async () => (await this.admin.fetchTopicOffsets(topic)).map(({ partition, high }) => ({ partition, offset: Number(high) })));
  }

  openTransactions({ topic, partition }: TopicPartition): Promise<string[]> {
    return this.call('list open transactions', async () => openTransactionsOn(await this.connectedCluster(), topic, partition));
  }

  transactionsOpenLongerThan(prefix: string, olderThanMs: number): Promise<string[]> {
    return this.call('list long transactions', async () => transactionsOpenLongerThan(await this.connectedCluster(), prefix, olderThanMs));
  }

  close(): Promise<void> {
    return this.call('admin close', async () => {
      const cluster = this.cluster;
      this.cluster = undefined;
      await Promise.all([this.admin.disconnect(), cluster?.then((c) => c.disconnect(), () => undefined)]);
    });
  }

  /** Every admin call maps kafkajs' errors into the port's: unavailable (retriable) or permanent. */
  private async call<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw adminFailed(action, error);
    }
  }

  private async describeClusterNow(): Promise<ClusterDescription> {
    const cluster = await this.admin.describeCluster();
    return {
      brokers: cluster.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })),
      controllerId: cluster.controller,
    };
  }

  private async describeTopicsNow(topics: string[]): Promise<TopicDescription[]> {
    const existing = new Set(await this.admin.listTopics());
    const present = topics.filter((topic) => existing.has(topic));
    if (present.length === 0) return [];
    const metadata = await this.admin.fetchTopicMetadata({ topics: present });
    return metadata.topics.map((topic) => ({ topic: topic.name, partitions: topic.partitions.length }));
  }

  private async createTopicsNow(specs: TopicSpec[]): Promise<void> {
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
      const leaders = metadata.topics.flatMap((topic) => topic.partitions.map((partition) => partition.leader));
      // A KRaft broker names a new partition's leader a moment before the leader takes writes (a
      // first transaction failed with NOT_LEADER_FOR_PARTITION); log end offsets come from the leader itself.
      if (leaders.every((leader) => leader >= 0)) for (const topic of topics) await this.admin.fetchTopicOffsets(topic);
      return leaders;
    });
  }

  private async describeGroupMembersNow(groupId: string): Promise<GroupMemberDescription[]> {
    const { groups } = await this.admin.describeGroups([groupId]);
    const members = groups[0]?.members ?? [];
    return members.map((member) => {
      const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      const partitions = Object.entries(assignment?.assignment ?? {}).flatMap(([topic, numbers]) => numbers.map((partition) => ({ topic, partition })));
      const address = advertisedAddressOf(member.memberMetadata);
      return { memberId: member.memberId, partitions, ...(address ? { advertisedAddress: address } : {}) };
    });
  }

  private async fetchStableOffsetsNow(groupId: string, partitions: TopicPartition[], timeoutMs: number): Promise<OffsetCommit[]> {
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of partitions) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
    const cluster = await this.connectedCluster();
    const offsets: OffsetCommit[] = [];
    for (const [topic, numbers] of byTopic) {
      for (const [partition, offset] of await fetchStableOffsets(cluster, groupId, topic, numbers, timeoutMs)) offsets.push({ topic, partition, offset });
    }
    return offsets;
  }

  private connectedCluster(): Promise<KafkajsCluster> {
    this.cluster ??= (async () => {
      const cluster = createKafkajsCluster(this.kafka);
      await cluster.connect();
      return cluster;
    })();
    // A failed connect is tried again by the next call.
    this.cluster.catch(() => (this.cluster = undefined));
    return this.cluster;
  }

  private async fetchCommittedOffsetsNow(groupId: string, topic: string): Promise<OffsetCommit[]> {
    const [result] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return (result?.partitions ?? []).map(({ partition, offset }) => ({ topic, partition, offset: Number(offset) }));
  }
}
