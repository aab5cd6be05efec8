/**
 * Back-to-back transactions against the real broker (src/kafka/kafkajs/concurrent-transactions.ts):
 * the coordinator still refuses the next AddPartitionsToTxn while it writes the previous commit's
 * markers, but the refusal is asked again in place, so kafkajs no longer refreshes metadata for it,
 * and every transaction still commits its record and offset.
 */
import { installConcurrentTransactionsWait } from '../../src/kafka/kafkajs/concurrent-transactions';
import { directKafka, expectCommitted, transactionalSetup, transactions } from '../helpers/kafkajs-direct';

const COUNT = 100;

test('back-to-back transactions wait out CONCURRENT_TRANSACTIONS without metadata refreshes, and all commit', async () => {
  expect(installConcurrentTransactionsWait()).toBe(true);
  const { port, topic, groupId, producer, requests } = await transactionalSetup(directKafka('concurrent-transactions-test'), 'b2b');
  await producer.connect();
  try {
    const metadataBefore = requests('Metadata');
    await transactions(producer, topic, groupId, COUNT);
    // The refusals happen (more AddPartitionsToTxn than transactions shows the coordinator was still
    // busy); kafkajs alone answered each with a Metadata request (0.7-0.8 per transaction, measured).
    expect(requests('AddPartitionsToTxn')).toBeGreaterThan(COUNT);
    expect(requests('Metadata') - metadataBefore).toBeLessThanOrEqual(2);
  } finally {
    await producer.disconnect();
  }
  await expectCommitted(port, topic, groupId, COUNT);
});
