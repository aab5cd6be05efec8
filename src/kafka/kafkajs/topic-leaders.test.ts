import { waitForTopicLeaders } from './topic-leaders';

function brokerError(type: string): Error {
  return Object.assign(new Error(`broker says ${type}`), { type });
}

/** A probe answering from a script, one answer per call; the last answer repeats. */
function scripted(answers: Array<number[] | Error>): { probe: () => Promise<number[]>; calls: () => number } {
  let calls = 0;
  return {
    probe: async () => {
      const answer = answers[Math.min(calls++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer ?? [];
    },
    calls: () => calls,
  };
}

test('waits through UNKNOWN_TOPIC_OR_PARTITION and partitions without a leader until every partition has one', async () => {
  const script = scripted([brokerError('UNKNOWN_TOPIC_OR_PARTITION'), brokerError('LEADER_NOT_AVAILABLE'), [1, -1, 1], [1, 1, 1]]);
  await waitForTopicLeaders(['t'], script.probe, { intervalMs: 1 });
  expect(script.calls()).toBe(4);
});

test('waits through a named leader that has not taken its partition over yet (NOT_LEADER_FOR_PARTITION)', async () => {
  const script = scripted([brokerError('NOT_LEADER_FOR_PARTITION'), [1, 1]]);
  await waitForTopicLeaders(['t'], script.probe, { intervalMs: 1 });
  expect(script.calls()).toBe(2);
});

test('finds the broker error below kafkajs retry wrappers', async () => {
  const wrapped = Object.assign(new Error('retries exhausted'), { originalError: brokerError('UNKNOWN_TOPIC_OR_PARTITION') });
  const script = scripted([wrapped, [0]]);
  await waitForTopicLeaders(['t'], script.probe, { intervalMs: 1 });
  expect(script.calls()).toBe(2);
});

test('any other error is thrown at once', async () => {
  const script = scripted([brokerError('TOPIC_AUTHORIZATION_FAILED'), [0]]);
  await expect(waitForTopicLeaders(['t'], script.probe, { intervalMs: 1 })).rejects.toThrow('TOPIC_AUTHORIZATION_FAILED');
  expect(script.calls()).toBe(1);
});

test('gives up after the timeout, naming the topics and the last reason', async () => {
  const script = scripted([[-1, 0]]);
  await expect(waitForTopicLeaders(['a', 'b'], script.probe, { timeoutMs: 20, intervalMs: 1 })).rejects.toThrow(
    'topics a, b have no leaders after 20 ms (partitions without a leader: 1 of 2)',
  );
});
