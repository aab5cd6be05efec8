/**
 * A test-only fault at a step of the node's transactions, for the fault suite: the process sends
 * itself a signal once, when a transaction that carries task work reaches the step, from its n-th
 * such transaction on.
 *
 *   PUNCTUAL_TEST_FAULT=<step>:<signal>:<n>     e.g. offsets-sent:SIGKILL:40, sent:SIGSTOP:25
 *
 * Steps (node-transactions.ts): `sent` (the records acknowledged; the offsets, sent beside them, may
 * not be yet), `offsets-sent` (records and offsets in the transaction, EndTxn not yet asked), `committing` (EndTxn asked, its answer not
 * yet in: the signal comes a few milliseconds later, while the request may be on its way),
 * `committed` (the coordinator answered, the stores not written yet). Not a setting: it is read only
 * by the process entry point (main.ts), and never set outside tests.
 */
import { TRANSACTION_STEPS, type TransactionStep } from '../cluster/node-transactions';

export const TRANSACTION_FAULT_ENV = 'PUNCTUAL_TEST_FAULT';

/** How long after the EndTxn was asked the `committing` fault strikes. */
const COMMITTING_DELAY_MS = 2;

export interface TransactionFault {
  step: TransactionStep;
  signal: NodeJS.Signals;
  /** The fault strikes in the first transaction from this one on (1-based, counting those that carry task work) that reaches the step. */
  transaction: number;
}

export function parseTransactionFault(value: string): TransactionFault {
  const [step, signal, count] = value.split(':');
  if (!TRANSACTION_STEPS.includes(step as TransactionStep)) throw new Error(`${TRANSACTION_FAULT_ENV}: step must be one of ${TRANSACTION_STEPS.join(', ')}, got ${JSON.stringify(step)}`);
  if (signal !== 'SIGKILL' && signal !== 'SIGSTOP') throw new Error(`${TRANSACTION_FAULT_ENV}: signal must be SIGKILL or SIGSTOP, got ${JSON.stringify(signal)}`);
  const transaction = Number(count);
  if (!Number.isInteger(transaction) || transaction < 1) throw new Error(`${TRANSACTION_FAULT_ENV}: the transaction count must be a whole number from 1, got ${JSON.stringify(count)}`);
  return { step: step as TransactionStep, signal, transaction };
}

/** The step hook for the node when the environment asks for a fault, else undefined. */
export function transactionFaultHook(env: NodeJS.ProcessEnv, onStrike: (fault: TransactionFault) => void): ((step: TransactionStep, transaction: number) => void) | undefined {
  const value = env[TRANSACTION_FAULT_ENV];
  if (!value) return undefined;
  const fault = parseTransactionFault(value);
  let struck = false;
  return (step, transaction) => {
    // From the n-th on: the n-th itself may fail before it reaches the step (a rebalance refuses its offsets).
    if (struck || step !== fault.step || transaction < fault.transaction) return;
    struck = true;
    onStrike(fault);
    const strike = (): void => void process.kill(process.pid, fault.signal);
    if (step === 'committing') setTimeout(strike, COMMITTING_DELAY_MS);
    else strike();
  };
}
