/**
 * Pending one-shot fires of one partition, ordered by due time (a binary min-heap keyed by due time,
 * with a map by schedule id). Replacing or removing a schedule leaves its old heap entry behind; stale
 * entries are recognised by their version and skipped when they reach the top.
 */
import type { ScheduleDefinition, ScheduleId } from '../domain/definition';

export interface PendingFire {
  definition: ScheduleDefinition;
  dueAt: number;
  /** Offset of the definition record that created this fire: the input cannot be committed past it. */
  sourceOffset: number;
  version: number;
}

export class DueQueue {
  private readonly byId = new Map<ScheduleId, PendingFire>();
  private heap: PendingFire[] = [];
  private nextVersion = 0;

  get size(): number {
    return this.byId.size;
  }

  put(definition: ScheduleDefinition, dueAt: number, sourceOffset: number): void {
    const fire = { definition, dueAt, sourceOffset, version: this.nextVersion++ };
    this.byId.set(definition.id, fire);
    this.push(fire);
  }

  remove(id: ScheduleId): boolean {
    return this.byId.delete(id);
  }

  /** Removes the fire only if it is still the same version (not replaced while it was being emitted). */
  settle(fire: PendingFire): void {
    if (this.byId.get(fire.definition.id)?.version === fire.version) this.byId.delete(fire.definition.id);
  }

  nextDueAt(): number | undefined {
    return this.top()?.dueAt;
  }

  /** Fires due at or before `now`, earliest first; they stay pending until settled. */
  due(now: number, max: number): PendingFire[] {
    const due: PendingFire[] = [];
    const putBack: PendingFire[] = [];
    for (let fire = this.top(); fire && fire.dueAt <= now && due.length < max; fire = this.top()) {
      due.push(fire);
      putBack.push(this.pop() as PendingFire);
    }
    for (const fire of putBack) this.push(fire);
    return due;
  }

  /** Lowest source offset among pending fires that pass `include`. A scan: fine for the slice's sizes. */
  lowestSourceOffset(include: (fire: PendingFire) => boolean = () => true): number | undefined {
    let lowest: number | undefined;
    for (const fire of this.byId.values()) {
      if (include(fire) && (lowest === undefined || fire.sourceOffset < lowest)) lowest = fire.sourceOffset;
    }
    return lowest;
  }

  private top(): PendingFire | undefined {
    while (this.heap.length > 0) {
      const head = this.heap[0] as PendingFire;
      if (this.byId.get(head.definition.id)?.version === head.version) return head;
      this.pop();
    }
    return undefined;
  }

  private push(fire: PendingFire): void {
    const heap = this.heap;
    heap.push(fire);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (before(heap[parent] as PendingFire, fire)) break;
      heap[i] = heap[parent] as PendingFire;
      i = parent;
    }
    heap[i] = fire;
  }

  private pop(): PendingFire | undefined {
    const heap = this.heap;
    const head = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return head;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right] as PendingFire, heap[left] as PendingFire) ? right : left;
      if (before(last, heap[child] as PendingFire)) break;
      heap[i] = heap[child] as PendingFire;
      i = child;
    }
    heap[i] = last;
    return head;
  }
}

function before(a: PendingFire, b: PendingFire): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.version < b.version);
}
