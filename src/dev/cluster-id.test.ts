import { newClusterId } from './local-kafka';

test('a cluster id is 16 random bytes in base64url, never starting with "-" (kafka-storage would take it for an option)', () => {
  // 0xf8 encodes to "-" as the first base64url character; the second draw is accepted.
  const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x01)];
  const id = newClusterId(() => draws.shift() as Buffer);
  expect(id).toBe(Buffer.alloc(16, 0x01).toString('base64url'));
  expect(Buffer.alloc(16, 0xf8).toString('base64url').startsWith('-')).toBe(true);
  expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
});
