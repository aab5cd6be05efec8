/** A bound on handlers running at once; a waiter heartbeats meanwhile so the group keeps it. */
export class Slots {
  private used = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`concurrency must be a whole number of at least 1, got ${size}`);
  }

  get inUse(): number {
    return this.used;
  }

  /** Resolves once a slot is free; `heartbeat` runs every `heartbeatMs` while it waits. */
  async acquire(heartbeat: () => Promise<void>, heartbeatMs = 1_000): Promise<void> {
    while (this.used >= this.size) {
      let timer: NodeJS.Timeout | undefined;
      const freed = await new Promise<boolean>((resolve) => {
        this.waiters.push(() => resolve(true));
        timer = setTimeout(() => resolve(false), heartbeatMs);
      });
      clearTimeout(timer);
      if (!freed) await heartbeat();
    }
    this.used++;
  }

  release(): void {
    this.used--;
    for (const wake of this.waiters.splice(0)) wake();
  }
}
