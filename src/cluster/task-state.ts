/**
 * Lifecycle of a PartitionTask, with its allowed transitions:
 *
 *   created -> restoring -> running -> closing -> closed
 *   created | restoring -> closing               (revoked or failed before it ran)
 *
 * A task that lost its partition is not told so by its own transactions: the group revokes the
 * partition, and the node closes the task.
 */
export type TaskState = 'created' | 'restoring' | 'running' | 'closing' | 'closed';

const ALLOWED: Record<TaskState, readonly TaskState[]> = {
  created: ['restoring', 'closing'],
  restoring: ['running', 'closing'],
  running: ['closing'],
  closing: ['closed'],
  closed: [],
};

export class IllegalTaskTransitionError extends Error {
  constructor(from: TaskState, to: TaskState, task: string) {
    super(`task ${task} cannot go from ${from} to ${to}`);
    this.name = 'IllegalTaskTransitionError';
  }
}

export class TaskLifecycle {
  private current: TaskState = 'created';

  constructor(readonly task: string) {}

  get state(): TaskState {
    return this.current;
  }

  transition(to: TaskState): void {
    if (!ALLOWED[this.current].includes(to)) throw new IllegalTaskTransitionError(this.current, to, this.task);
    this.current = to;
  }

  is(...states: TaskState[]): boolean {
    return states.includes(this.current);
  }
}
