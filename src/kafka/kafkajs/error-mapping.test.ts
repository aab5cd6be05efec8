import { KafkaJSAggregateError, KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSRequestTimeoutError } from 'kafkajs';
import { KafkaPortError, KafkaUnavailableError, RequestRefusedError } from '../errors';
import { adminFailed, certainlyNotWritten } from './error-mapping';

/** kafkajs builds protocol errors from the broker error table entry, which its typings do not declare. */
function protocolError(type: string, retriable: boolean): Error {
  return new KafkaJSProtocolError({ message: type, type, code: 0, retriable } as unknown as string);
}

test('a produce that failed before anything was appended is certainly not written, wrapped or not', () => {
  expect(certainlyNotWritten(new KafkaJSConnectionError('refused', { code: 'ECONNREFUSED' }))).toBe(true);
  expect(certainlyNotWritten(protocolError('NOT_LEADER_FOR_PARTITION', true))).toBe(true);
  expect(certainlyNotWritten(protocolError('NOT_ENOUGH_REPLICAS', true))).toBe(true);
  const wrapped = new KafkaJSNumberOfRetriesExceeded(protocolError('LEADER_NOT_AVAILABLE', true), { retryCount: 0, retryTime: 0 });
  expect(certainlyNotWritten(wrapped)).toBe(true);
});

test('a produce that may have been appended is not: a lost connection, a timeout, a refusal after appending', () => {
  expect(certainlyNotWritten(new KafkaJSConnectionError('reset', { code: 'ECONNRESET' }))).toBe(false);
  expect(certainlyNotWritten(new KafkaJSRequestTimeoutError('timed out'))).toBe(false);
  expect(certainlyNotWritten(protocolError('NOT_ENOUGH_REPLICAS_AFTER_APPEND', true))).toBe(false);
  expect(certainlyNotWritten(protocolError('REQUEST_TIMED_OUT', true))).toBe(false);
});

test('admin failures become the port errors: unavailable when transient, permanent otherwise', () => {
  const transient = adminFailed('describe group', new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('refused', { code: 'ECONNREFUSED' }), { retryCount: 2, retryTime: 0 }));
  expect(transient).toBeInstanceOf(KafkaUnavailableError);
  expect(transient.retriable).toBe(true);
  expect(transient.message).toBe('describe group failed: refused');
  const permanent = adminFailed('create topics', protocolError('INVALID_TOPIC_EXCEPTION', false));
  expect(permanent).toBeInstanceOf(KafkaPortError);
  expect(permanent.retriable).toBe(false);
  const already = new KafkaUnavailableError('x');
  expect(adminFailed('create topics', already)).toBe(already);
});

test('a topic the broker refuses for good is a refusal naming the broker error, inside an aggregate or not; a replication shortfall is not', () => {
  // kafkajs' admin bails with the aggregate of per-topic errors; its retrier wraps what it cannot retry, keeping the cause.
  const aggregate = (type: string, retriable: boolean): Error => new KafkaJSAggregateError('Topic creation errors', [protocolError(type, retriable)]);
  const wrapped = (error: Error): Error => Object.assign(new KafkaJSNonRetriableError(error), { cause: error });
  for (const type of ['INVALID_TOPIC_EXCEPTION', 'TOPIC_AUTHORIZATION_FAILED', 'POLICY_VIOLATION']) {
    for (const error of [aggregate(type, false), wrapped(aggregate(type, false)), protocolError(type, false)]) {
      const refused = adminFailed('create topics', error);
      expect(refused).toBeInstanceOf(RequestRefusedError);
      expect((refused as RequestRefusedError).refusal).toBe(type);
      expect(refused.message).toBe(`create topics refused: ${type}: ${type}`);
    }
  }
  expect(adminFailed('create topics', aggregate('INVALID_REPLICATION_FACTOR', false))).not.toBeInstanceOf(RequestRefusedError);
});
