/**
 * Makes sure a schedule's target topic exists before its definition is accepted, creating a missing
 * one with the broker's default partitions and replication. Known topics are cached per node; a
 * failure is not (the partition task decides whether to try again: port errors say which are
 * refusals for good, RequestRefusedError, and which are transient).
 */
import type { Admin } from '../kafka/port';

export class TargetTopics {
  private readonly known = new Set<string>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly admin: Admin) {}

  ensure(topic: string): Promise<void> {
    if (this.known.has(topic)) return Promise.resolve();
    let creation = this.pending.get(topic);
    if (!creation) {
      creation = this.create(topic).finally(() => this.pending.delete(topic));
      this.pending.set(topic, creation);
    }
    return creation;
  }

  private async create(topic: string): Promise<void> {
    const [existing] = await this.admin.describeTopics([topic]);
    if (!existing) {
      await this.admin.createTopics([{ topic, partitions: -1, replicationFactor: -1 }]);
    }
    this.known.add(topic);
  }
}
