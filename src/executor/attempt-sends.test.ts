import type { Admin } from '../kafka/port';
import { AttemptSends, ExistingTopics } from './attempt-sends';

function topicsOf(existing: string[]): { topics: ExistingTopics; described: string[][] } {
  const described: string[][] = [];
  const admin = {
    describeTopics: async (topics: string[]) => {
      described.push(topics);
      return topics.filter((topic) => existing.includes(topic)).map((topic) => ({ topic, partitions: 1 }));
    },
  } as unknown as Admin;
  return { topics: new ExistingTopics(() => admin), described };
}

test('records sent during an attempt are kept in order for its transaction; each topic is looked up once', async () => {
  const { topics, described } = topicsOf(['out']);
  const sends = new AttemptSends(topics);
  await sends.send({ topic: 'out', key: 'k', value: 'one', headers: { h: 'v' } });
  await sends.send([{ topic: 'out', value: Buffer.from('two') }]);
  expect(sends.end()).toEqual([
    { topic: 'out', key: 'k', value: 'one', headers: { h: 'v' } },
    { topic: 'out', key: null, value: Buffer.from('two') },
  ]);
  expect(described).toEqual([['out']]);
});

test('a send to a topic that does not exist is refused naming it, and nothing of it is kept', async () => {
  const sends = new AttemptSends(topicsOf(['out']).topics);
  await expect(sends.send([{ topic: 'out', value: 'a' }, { topic: 'missing', value: 'b' }])).rejects.toThrow('ctx.send: topic "missing" does not exist');
  expect(sends.end()).toEqual([]);
});

test.each([
  [{ topic: 'bad topic', value: 'x' }, 'record.topic must be a Kafka topic name, got "bad topic"'],
  [{ topic: 'out', value: 42 }, 'record.value must be a string, a Buffer or null, got number'],
  [{ topic: 'out', key: 3, value: 'x' }, 'record.key must be a string or null, got number'],
  [{ topic: 'out', value: 'x', headers: { a: 1 } }, 'record.headers must map names to strings'],
  [{ topic: 'out', value: 'x', partition: -1 }, 'record.partition must be a whole number of at least 0, got -1'],
])('a malformed record is refused naming the field: %#', async (record, message) => {
  const sends = new AttemptSends(topicsOf(['out']).topics);
  await expect(sends.send(record as never)).rejects.toThrow(message);
});

test('a send after the attempt ended is refused', async () => {
  const sends = new AttemptSends(topicsOf(['out']).topics);
  sends.end();
  await expect(sends.send({ topic: 'out', value: 'late' })).rejects.toThrow('the attempt has ended');
});
