/**
 * A partition's wait for the target topics of the definitions it is about to apply. A topic that
 * exists (or is created) lets ingest go on; one the cluster refuses for good (an invalid name,
 * authorization, a policy) comes back as the reason to dead-letter its definitions; anything else
 * (a broker down, a timeout) is tried again with backoff, however long it takes, so a hiccup never
 * dead-letters a valid definition. The wait is visible: a warning per attempt, a metric, and
 * `waitingFor` (which the node's readiness reads), also when a call has gone unanswered for a while.
 */
import type { Clock } from '../domain/clock';
import { RequestRefusedError } from '../kafka/errors';
import type { Logger } from '../log/logger';
import type { TaskMetrics } from '../metrics/metrics';
import type { TargetTopics } from './target-topics';

const FIRST_PAUSE_MS = 500;
/** Longest pause between two attempts. */
const MAX_PAUSE_MS = 10_000;
/** A call unanswered for this long counts as waiting (a stalled broker fails only at its request timeout). */
const SLOW_CALL_MS = 1_000;

export interface TargetTopicWaitOptions {
  targetTopics: TargetTopics;
  clock: Clock;
  logger: Logger;
  metrics: TaskMetrics;
  partition: number;
  /** The task's name, for the error when it closes during the wait. */
  task: string;
}

export class TargetTopicWait {
  private waiting: string | undefined;
  private endPause: (() => void) | undefined;
  private closed = false;

  constructor(private readonly options: TargetTopicWaitOptions) {}

  /** The topic ingest is waiting for, if any. */
  get waitingFor(): string | undefined {
    return this.waiting;
  }

  /** The reason each topic among `topics` was refused for good; resolves once every other one exists. */
  async refusals(topics: Iterable<string>): Promise<Map<string, string>> {
    const refused = new Map<string, string>();
    for (const topic of topics) {
      const reason = await this.untilAvailable(topic);
      if (reason !== undefined) refused.set(topic, reason);
    }
    return refused;
  }

  /** Ends a wait in progress at once (it rejects) and every later one: the task is closing. */
  close(): void {
    this.closed = true;
    this.endPause?.();
  }

  private async untilAvailable(topic: string): Promise<string | undefined> {
    const { clock, targetTopics, metrics } = this.options;
    for (let attempt = 1; ; attempt++) {
      const slow = clock.setTimer(SLOW_CALL_MS, () => this.startWaiting(topic, 'not answered yet'));
      try {
        await targetTopics.ensure(topic);
        this.stopWaiting();
        return undefined;
      } catch (error) {
        if (error instanceof RequestRefusedError) {
          this.stopWaiting();
          return `topic: the cluster refused target topic ${topic}: ${error.message}`;
        }
        if (this.closed) throw this.closedWhileWaiting(topic, error);
        const pauseMs = Math.min(FIRST_PAUSE_MS * 2 ** (attempt - 1), MAX_PAUSE_MS);
        metrics.targetTopicRetried();
        this.startWaiting(topic, 'failed; tried again', { attempt, pauseMs, error });
        await new Promise<void>((resolve) => {
          const cancel = clock.setTimer(pauseMs, resolve);
          this.endPause = () => {
            cancel();
            resolve();
          };
        });
        this.endPause = undefined;
        if (this.closed) throw this.closedWhileWaiting(topic, error);
      } finally {
        slow();
      }
    }
  }

  private closedWhileWaiting(topic: string, cause: unknown): Error {
    return new Error(`partition task ${this.options.task} closed while waiting for target topic ${topic}`, { cause });
  }

  private startWaiting(topic: string, why: string, fields: Record<string, unknown> = {}): void {
    if (this.waiting === undefined) this.options.metrics.targetTopicWaiting(this.options.partition, true);
    this.waiting = topic;
    this.options.logger.warn(`target topic ${why}: ingest waits`, { topic, ...fields });
  }

  private stopWaiting(): void {
    if (this.waiting === undefined) return;
    this.options.logger.info('target topic available: ingest goes on', { topic: this.waiting });
    this.waiting = undefined;
    this.options.metrics.targetTopicWaiting(this.options.partition, false);
  }
}
