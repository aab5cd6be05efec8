/** `punctual/executor`: run the events Punctual emits, record their outcomes, retry through Punctual. */
export { createExecutor, Executor, DEFAULT_DEFINITIONS_TOPIC, DEFAULT_EXECUTIONS_DLQ_TOPIC, DEFAULT_STATUS_TOPIC, type ExecutorOptions, type Handler, type HandlerContext } from './executor';
export { EXECUTOR_HEADERS, type Fire } from './fire';
export { HandlerTimeoutError, NonRetryableError, RetryAfter } from './outcome';
export { DEFAULT_RETRY_POLICY, type BackoffOptions, type RetryOptions, type RetryPolicy } from '../domain/retry-policy';
export { type ErrorSummary, type ExecutionStatus, type StatusValue } from '../domain/execution-status';
export { DLQ_HEADERS } from '../ingest/dead-letter';
export { clusterTask, clusterTaskTopic, type ClusterTask, type ClusterTaskOptions } from './cluster-task';
export { MAX_SENDS_PER_ATTEMPT, type SendRecord } from './attempt-sends';
export { ATTEMPT_ERRORS_HEADER, type AttemptError } from './attempt-errors';
