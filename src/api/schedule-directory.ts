/**
 * Finds a schedule anywhere in the cluster. The node that owns the schedule's partition answers:
 * this node itself, or the member whose group metadata advertises the partition, asked over HTTP.
 */
import type { Admin, GroupMemberDescription } from '../kafka/port';
import type { ScheduleId } from '../domain/definition';
import type { ScheduleState } from '../domain/schedule-state';
import { HttpError } from './http-error';
import type { ScheduleView } from './schedule-view';
import { ownedHistory, ownedView, type HistoryPage, type OwnedAnswer } from './owned-answers';
import type { OccurrenceOutcome } from '../domain/occurrence-outcome';

export interface LocalSchedules {
  partitionOf(id: ScheduleId): number;
  lookup(id: ScheduleId): Promise<{ owned: true; state: ScheduleState | undefined } | { owned: false }>;
  listLocal(prefix: string, after: string | undefined, limit: number, accepts?: (state: ScheduleState) => boolean): Promise<{ partitions: number[]; states: ScheduleState[] }>;
  /** Recorded occurrence outcomes, latest first. */
  outcomes(id: ScheduleId, limit: number): Promise<{ owned: true; outcomes: OccurrenceOutcome[] } | { owned: false }>;
}

export interface ListPage {
  items: ScheduleView[];
  /** Pass as `cursor` for the next page; null when there is none. */
  nextCursor: string | null;
  /** True when some partitions had no node that answered: the page may miss schedules. */
  partial: boolean;
  missingPartitions: number[];
}

/** What one node answers for its own partitions. */
export interface LocalPage {
  partitions: number[];
  items: ScheduleView[];
}

export const INTERNAL_PATH = '/internal/v1/schedules';
const MEMBERS_TTL_MS = 1_000;
const FORWARD_TIMEOUT_MS = 3_000;

export class ScheduleDirectory {
  private members: { at: number; list: GroupMemberDescription[] } | undefined;

  constructor(
    private readonly local: LocalSchedules,
    private readonly admin: Admin,
    private readonly groupId: string,
    private readonly definitionsTopic: string,
    private readonly partitionCount: number,
  ) {}

  /**
   * Schedules across the cluster in id order, ids starting with `prefix`, after `cursor`. Every member
   * is asked for its own partitions; partitions nobody answered for are reported, never hidden.
   */
  async list(prefix: string, cursor: string | undefined, limit: number, authorization?: string): Promise<ListPage> {
    const members = await this.admin.describeGroupMembers(this.groupId);
    const query = new URLSearchParams({ prefix, limit: String(limit), ...(cursor === undefined ? {} : { after: cursor }) });
    const pages = await Promise.all(members.map((member) => (member.advertisedAddress ? this.askList(member.advertisedAddress, query, authorization) : undefined)));
    const covered = new Set(pages.flatMap((page) => page?.partitions ?? []));
    const missingPartitions = Array.from({ length: this.partitionCount }, (_, partition) => partition).filter((partition) => !covered.has(partition));
    const merged = pages.flatMap((page) => page?.items ?? []).sort((a, b) => (a.id < b.id ? -1 : 1));
    const items = merged.slice(0, limit);
    const more = merged.length > limit || pages.some((page) => (page?.items.length ?? 0) >= limit);
    return { items, nextCursor: more && items.length > 0 ? (items[items.length - 1]?.id ?? null) : null, partial: missingPartitions.length > 0, missingPartitions };
  }

  private async askList(address: string, query: URLSearchParams, authorization: string | undefined): Promise<LocalPage | undefined> {
    try {
      const response = await fetch(`${address}${INTERNAL_PATH}?${query.toString()}`, { signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS), headers: forwardedHeaders(authorization) });
      return response.status === 200 ? ((await response.json()) as LocalPage) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The schedule's view with its last outcome, or undefined when it does not exist. Throws 503 when no owner answers. */
  find(id: ScheduleId, authorization?: string): Promise<ScheduleView | undefined> {
    return this.fromOwner(id, () => ownedView(this.local, id), '', authorization);
  }

  /** The schedule's recent occurrence outcomes, or undefined when it neither exists nor has any. Throws 503 when no owner answers. */
  history(id: ScheduleId, limit: number, authorization?: string): Promise<HistoryPage | undefined> {
    return this.fromOwner(id, () => ownedHistory(this.local, id, limit), `/history?limit=${limit}`, authorization);
  }

  /** This node's answer when it owns the schedule's partition, else the owner's, asked at `${INTERNAL_PATH}/{host}/{name}${suffix}`. */
  private async fromOwner<T>(id: ScheduleId, answerHere: () => Promise<OwnedAnswer<T>>, suffix: string, authorization: string | undefined): Promise<T | undefined> {
    const local = await answerHere();
    if (local.owned) return local.value;
    // The group may have just rebalanced: one retry with a fresh view of the members.
    for (const fresh of [false, true]) {
      const owner = await this.ownerOf(this.local.partitionOf(id), fresh);
      if (!owner) continue;
      const answer = await this.ask<T>(owner, id, suffix, authorization);
      if (answer !== 'not-owner') return answer;
    }
    throw new HttpError(503, 'owner_unavailable', `no node answered for the partition of ${id}; retry shortly`);
  }

  private async ownerOf(partition: number, fresh: boolean): Promise<string | undefined> {
    if (fresh || !this.members || Date.now() - this.members.at > MEMBERS_TTL_MS) {
      this.members = { at: Date.now(), list: await this.admin.describeGroupMembers(this.groupId) };
    }
    return this.members.list.find((member) => member.partitions.some((tp) => tp.topic === this.definitionsTopic && tp.partition === partition))?.advertisedAddress;
  }

  private async ask<T>(address: string, id: ScheduleId, suffix: string, authorization: string | undefined): Promise<T | undefined | 'not-owner'> {
    const [host, name] = id.split('/');
    try {
      const response = await fetch(`${address}${INTERNAL_PATH}/${encodeURIComponent(host ?? '')}/${encodeURIComponent(name ?? '')}${suffix}`, {
        signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
        headers: forwardedHeaders(authorization),
      });
      if (response.status === 200) return (await response.json()) as T;
      if (response.status === 404) return undefined;
      return 'not-owner';
    } catch {
      return 'not-owner';
    }
  }
}

function forwardedHeaders(authorization: string | undefined): Record<string, string> {
  return authorization === undefined ? {} : { authorization };
}
