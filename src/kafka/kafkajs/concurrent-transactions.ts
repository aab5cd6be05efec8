/**
 * A transaction that begins right after the previous commit is refused with CONCURRENT_TRANSACTIONS
 * until the coordinator has written the commit markers (a few ms on a local broker). kafkajs treats
 * the refusal like any retriable produce error: it refreshes the metadata of every topic the
 * producer knows and retries the whole send after its backoff, so most Punctual transactions paid
 * an extra Metadata request and a growing wait (measured: 0.8 refusals and 0.8 Metadata requests
 * per back-to-back transaction). Here AddPartitionsToTxn (and AddOffsetsToTxn, which a node's
 * transaction sends beside it) is asked again after 1, 2, 4, then every 8 ms, as the Java client does with its own short backoff for this error, and kafkajs sees
 * the refusal only if the coordinator is still busy after MAX_WAIT_MS.
 *
 * kafkajs has no hook for this, so the method is wrapped on its Broker class (kafkajs-internals.ts).
 */
import { sleep } from '../../util/sleep';
import { wrapKafkajsMethod } from './kafkajs-internals';

/** kafkajs' internal Broker#addPartitionsToTxn and Broker#addOffsetsToTxn. */
type AddToTransaction = (this: object, request: unknown) => Promise<unknown>;

/** The first requests of a transaction, either of which can meet the previous commit still completing. */
const FIRST_REQUESTS = ['addPartitionsToTxn', 'addOffsetsToTxn'];

const MAX_WAIT_MS = 2_000;
const LONGEST_STEP_MS = 8;

/** Wraps kafkajs' AddPartitionsToTxn and AddOffsetsToTxn once per process; returns false when kafkajs' internals are not as expected. */
export function installConcurrentTransactionsWait(): boolean {
  return FIRST_REQUESTS.every((method) =>
    wrapKafkajsMethod<AddToTransaction>('concurrent-transactions', 'kafkajs/src/broker', method, (add) =>
      async function (this: object, request) {
        const deadline = Date.now() + MAX_WAIT_MS;
        for (let step = 1; ; step = Math.min(step * 2, LONGEST_STEP_MS)) {
          try {
            return await add.call(this, request);
          } catch (error) {
            const concurrent = (error as { type?: unknown } | null)?.type === 'CONCURRENT_TRANSACTIONS';
            if (!concurrent || Date.now() + step > deadline) throw error;
            await sleep(step);
          }
        }
      },
    ),
  );
}
