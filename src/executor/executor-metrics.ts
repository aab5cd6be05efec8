/** The executor's prom-client metrics, in a registry of its own the service can expose or merge. */
import { Counter, Histogram, Registry } from 'prom-client';

const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export type ExecutionOutcome = 'succeeded' | 'retrying' | 'dead-lettered' | 'refused';

export class ExecutorMetrics {
  readonly registry = new Registry();
  private readonly executions = new Counter({
    name: 'punctual_executor_executions_total',
    help: 'Attempts finished, by capability and outcome (succeeded, retrying, dead-lettered; refused: not a Punctual event or no handler).',
    labelNames: ['capability', 'outcome'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({ name: 'punctual_executor_duration_seconds', help: 'How long handlers ran, by capability.', labelNames: ['capability'], buckets: SECONDS_BUCKETS, registers: [this.registry] });
  private readonly dueToSuccess = new Histogram({
    name: 'punctual_executor_due_to_success_seconds',
    help: 'From an occurrence\'s due time to the end of its successful attempt, by capability (retries included).',
    labelNames: ['capability'],
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });

  finished(capability: string, outcome: ExecutionOutcome, durationMs?: number): void {
    this.executions.inc({ capability, outcome });
    if (durationMs !== undefined) this.duration.observe({ capability }, durationMs / 1000);
  }

  succeeded(capability: string, scheduledAt: number, finishedAt: number): void {
    this.dueToSuccess.observe({ capability }, Math.max(0, finishedAt - scheduledAt) / 1000);
  }
}
