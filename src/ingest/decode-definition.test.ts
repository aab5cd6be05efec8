import type { IncomingRecord } from '../kafka/port';
import { decodeDefinition } from './decode-definition';

function record(key: string | null, value: string | null): IncomingRecord {
  return { topic: 'defs', partition: 0, offset: 7, timestamp: 0, key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value), headers: {} };
}

const valid = JSON.stringify({ host: 'h', name: 'n', action: 'INSERT', at: '2026-01-01T00:00:00Z', topic: 't' });

test('a valid definition keyed by its id is an upsert', () => {
  expect(decodeDefinition(record('h/n', valid), 1_000)).toMatchObject({ kind: 'upsert', definition: { id: 'h/n' } });
});

test('a tombstone deletes by key; a DELETE body deletes by its id', () => {
  expect(decodeDefinition(record('h/n', null), 1_000)).toEqual({ kind: 'delete', id: 'h/n' });
  expect(decodeDefinition(record('h/n', JSON.stringify({ host: 'h', name: 'n', action: 'DELETE' })), 1_000)).toEqual({ kind: 'delete', id: 'h/n' });
});

test.each([
  ['no key', record(null, valid), 'key: is missing'],
  ['a key that is not the id', record('h/other', valid), 'key: "h/other" does not match host/name "h/n"'],
  ['a tombstone with a bad key', record('nope', null), 'key: "nope" of a tombstone is not a schedule id'],
  ['not JSON', record('h/n', '{'), '(body): is not JSON'],
  ['over the size limit', record('h/n', valid), `(body): is ${Buffer.byteLength(valid)} bytes, over the limit of 50`],
])('%s is invalid with a reason naming the field', (_case, input, reason) => {
  const limit = reason.includes('over the limit') ? 50 : 1_000;
  const command = decodeDefinition(input, limit);
  expect(command.kind).toBe('invalid');
  expect(command.kind === 'invalid' && command.reason).toContain(reason);
});
