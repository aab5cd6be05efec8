/**
 * The last `capacity` keys added, for a membership test. A ring of the keys in insertion order
 * forgets the oldest in O(1): deleting from the front of a Set and iterating it again, thousands of
 * times a second, walks past the holes deletions leave (a profile showed it among the hottest lines).
 */
export class RecentKeys {
  private readonly keys = new Set<string>();
  private readonly ring: (string | undefined)[];
  private next = 0;

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a whole number of at least 1, got ${capacity}`);
    this.ring = new Array<string | undefined>(capacity);
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    if (this.keys.has(key)) return;
    const oldest = this.ring[this.next];
    if (oldest !== undefined) this.keys.delete(oldest);
    this.ring[this.next] = key;
    this.next = (this.next + 1) % this.capacity;
    this.keys.add(key);
  }

  get size(): number {
    return this.keys.size;
  }
}
