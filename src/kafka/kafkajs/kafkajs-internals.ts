/**
 * Replacing a method of one of kafkajs' internal classes, for the gaps kafkajs offers no hook for
 * (coordinator-cache.ts, concurrent-transactions.ts). kafkajs is pinned to 2.2.4, its last release;
 * if the class or method is not there, nothing is replaced and the caller is told so.
 */
type Method = (this: object, ...args: never[]) => Promise<unknown>;

const replaced = new Set<string>();

/**
 * Replaces `method` on the prototype of the class `modulePath` exports, once per process, with what
 * `wrap` makes of the original. Returns false when kafkajs' internals are not as expected.
 */
export function wrapKafkajsMethod<M extends Method>(modulePath: string, method: string, wrap: (original: M) => M): boolean {
  const key = `${modulePath}#${method}`;
  if (replaced.has(key)) return true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const prototype = (require(modulePath) as { prototype?: Record<string, unknown> }).prototype;
  const original = prototype?.[method];
  if (!prototype || typeof original !== 'function') return false;
  prototype[method] = wrap(original as M);
  replaced.add(key);
  return true;
}
