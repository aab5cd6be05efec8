import { parseTransactionFault } from './transaction-fault';

test('a fault names a step, a signal and the transaction it strikes from', () => {
  expect(parseTransactionFault('offsets-sent:SIGKILL:40')).toEqual({ step: 'offsets-sent', signal: 'SIGKILL', transaction: 40 });
  expect(parseTransactionFault('sent:SIGSTOP:1')).toEqual({ step: 'sent', signal: 'SIGSTOP', transaction: 1 });
});

test('a malformed fault is refused with the part that is wrong', () => {
  expect(() => parseTransactionFault('begun:SIGKILL:3')).toThrow(/step must be one of sent, offsets-sent, committing, committed, got "begun"/);
  expect(() => parseTransactionFault('sent:SIGTERM:3')).toThrow(/signal must be SIGKILL or SIGSTOP, got "SIGTERM"/);
  expect(() => parseTransactionFault('sent:SIGKILL:0')).toThrow(/whole number from 1, got "0"/);
  expect(() => parseTransactionFault('sent')).toThrow(/signal/);
});
