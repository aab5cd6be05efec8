/**
 * Replacing a method of one of kafkajs' internal classes, for the gaps kafkajs offers no hook for
 * (coordinator-cache.ts, concurrent-transactions.ts, aborted-transactions.ts). kafkajs is pinned to
 * 2.2.4, its last release, the only version these replacements were proven against. With another
 * version, a module that moved, or a class or method that is not there, nothing is replaced and the
 * caller is told so: the node then warns and runs without the replacement.
 */
type Method = (this: object, ...args: never[]) => Promise<unknown>;

/** The kafkajs release whose internals the replacements were written and tested against. */
export const KAFKAJS_VERSION = '2.2.4';

const replaced = new Set<string>();

/**
 * Replaces `method` on the prototype of the class `modulePath` exports with what `wrap` makes of the
 * original, once per process and `replacement` (several replacements may wrap one method, each
 * around the ones before). Returns false when kafkajs is not `expectedVersion` or its internals are
 * not as expected.
 */
export function wrapKafkajsMethod<M extends Method>(replacement: string, modulePath: string, method: string, wrap: (original: M) => M, expectedVersion = KAFKAJS_VERSION): boolean {
  const key = `${replacement}:${modulePath}#${method}`;
  if (replaced.has(key)) return true;
  if (installedKafkajsVersion() !== expectedVersion) return false;
  const prototype = requireOptional(modulePath)?.prototype;
  const original = prototype?.[method];
  if (!prototype || typeof original !== 'function') return false;
  prototype[method] = wrap(original as M);
  replaced.add(key);
  return true;
}

export function installedKafkajsVersion(): string | undefined {
  const version = (requireOptional('kafkajs/package.json') as { version?: unknown } | undefined)?.version;
  return typeof version === 'string' ? version : undefined;
}

/** A kafkajs module, or undefined when it is not where 2.2.4 keeps it. */
function requireOptional(modulePath: string): { prototype?: Record<string, unknown> } | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(modulePath) as { prototype?: Record<string, unknown> };
  } catch {
    // Whatever stops it from loading, the internals are not the ones the replacements know.
    return undefined;
  }
}
