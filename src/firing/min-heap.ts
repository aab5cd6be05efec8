/** A binary min-heap ordered by a numeric key; ties keep insertion order. */
export class MinHeap<T> {
  private items: { key: number; seq: number; value: T }[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  push(key: number, value: T): void {
    const item = { key, seq: this.seq++, value };
    const items = this.items;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent];
      if (!above || !before(item, above)) break;
      items[i] = above;
      i = parent;
    }
    items[i] = item;
  }

  peekKey(): number | undefined {
    return this.items[0]?.key;
  }

  pop(): T | undefined {
    const items = this.items;
    const head = items[0];
    const last = items.pop();
    if (head === undefined || last === undefined) return undefined;
    if (items.length === 0) return head.value;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let child = left;
      const r = items[right];
      const l = items[left];
      if (!l) break;
      if (r && before(r, l)) child = right;
      const smaller = items[child];
      if (!smaller || !before(smaller, last)) break;
      items[i] = smaller;
      i = child;
    }
    items[i] = last;
    return head.value;
  }

  clear(): void {
    this.items = [];
  }
}

function before(a: { key: number; seq: number }, b: { key: number; seq: number }): boolean {
  return a.key < b.key || (a.key === b.key && a.seq < b.seq);
}
