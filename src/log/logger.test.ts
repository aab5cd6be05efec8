import { TransactionFailedError } from '../kafka/errors';
import { createLogger } from './logger';

function logged(write: (logger: ReturnType<typeof createLogger>) => void): Record<string, unknown> {
  const lines: string[] = [];
  write(createLogger('info', (line) => lines.push(line)));
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
}

test("an error is logged with its class, stack and causes, down to the broker's error type", () => {
  const broker = Object.assign(new Error('This is not the correct coordinator for this group'), { name: 'KafkaJSProtocolError', type: 'NOT_COORDINATOR', retriable: true });
  const failure = new TransactionFailedError('transaction failed: commit', false, { cause: broker });
  const entry = logged((logger) => logger.warn('transaction failed', { error: failure }));
  expect(entry.error).toMatchObject({
    name: 'TransactionFailedError',
    message: 'transaction failed: commit',
    stack: expect.stringContaining('logger.test.ts'),
    cause: { name: 'KafkaJSProtocolError', type: 'NOT_COORDINATOR', retriable: true, stack: expect.any(String) },
  });
});

test('fields, bindings and levels', () => {
  const entry = logged((logger) => logger.child({ component: 'c' }).info('m', { n: 1 }));
  expect(entry).toMatchObject({ level: 'info', msg: 'm', component: 'c', n: 1 });
  const lines: string[] = [];
  createLogger('warn', (line) => lines.push(line)).info('dropped');
  expect(lines).toEqual([]);
});
