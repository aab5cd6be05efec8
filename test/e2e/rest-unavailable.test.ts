/** With its broker gone, a node answers writes with 503, never with a false success. */
import { LocalKafka } from '../../src/dev/local-kafka';
import { loadConfig } from '../../src/config/config';
import { testPort, uniqueName } from '../helpers/kafka';
import { startApiNode, uniqueNodeEnv } from '../helpers/punctual';

jest.setTimeout(180_000);

test('POST /schedulers and PUT answer 503 while Kafka is unavailable', async () => {
  const kafka = await LocalKafka.start();
  const brokers = kafka.bootstrap.split(',');
  const config = loadConfig({ ...uniqueNodeEnv(uniqueName('down')), KAFKA_BROKERS: kafka.bootstrap, PUNCTUAL_PARTITIONS: '2' });
  const api = await startApiNode(testPort(brokers), config);
  try {
    await kafka.stop();
    const started = Date.now();
    const post = await fetch(`${api.url}/schedulers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ host: 'down', name: 'x', action: 'INSERT', at: '2030-01-01T00:00:00Z', topic: 't' }),
    });
    expect(post.status).toBe(503);
    expect(post.headers.get('retry-after')).toBe('1');
    expect(await post.json()).toMatchObject({ error: 'kafka_unavailable' });
    const put = await fetch(`${api.url}/v1/schedules/down/y`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ at: '2030-01-01T00:00:00Z', topic: 't' }) });
    expect(put.status).toBe(503);
    expect(put.headers.get('retry-after')).toBe('1');
    // Answered within seconds, not after kafkajs' default half-minute of retries.
    expect(Date.now() - started).toBeLessThan(30_000);
  } finally {
    // At most 20 s for a stop without a broker; the timer is cleared so it cannot hold the worker open.
    let giveUp: NodeJS.Timeout | undefined;
    await Promise.race([api.stop(), new Promise((resolve) => (giveUp = setTimeout(resolve, 20_000)))]);
    clearTimeout(giveUp);
    await kafka.stop();
  }
});
