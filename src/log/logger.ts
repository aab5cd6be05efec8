/**
 * A small structured logger: one JSON object per line, fixed messages, context in fields.
 * Children add bindings (component, partition, ...). Payloads never go into info-level logs.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export const LOG_LEVELS = Object.keys(LEVEL_RANK) as LogLevel[];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(bindings: LogFields): Logger;
}

export type LogSink = (line: string) => void;

export function createLogger(level: LogLevel, sink: LogSink = (line) => process.stdout.write(line + '\n')): Logger {
  return new JsonLogger(LEVEL_RANK[level], {}, sink);
}

class JsonLogger implements Logger {
  constructor(
    private readonly threshold: number,
    private readonly bindings: LogFields,
    private readonly sink: LogSink,
  ) {}

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  child(bindings: LogFields): Logger {
    return new JsonLogger(this.threshold, { ...this.bindings, ...bindings }, this.sink);
  }

  private write(level: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields): void {
    if (LEVEL_RANK[level] < this.threshold) return;
    const entry = { time: new Date().toISOString(), level, msg: message, ...this.bindings, ...fields };
    this.sink(JSON.stringify(entry, errorReplacer));
  }
}

/** A logger that drops everything, for tools and tests that must stay quiet. */
export const silentLogger: Logger = createLogger('silent', () => undefined);

/**
 * An error as a log field: its class, message, stack and the chain of causes under it, with the
 * fields clients attach (kafkajs' `type` and `retriable`, Node's `code`), so a broker error inside a
 * transaction failure reaches the log.
 */
function errorReplacer(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const extra = value as Error & { type?: unknown; code?: unknown; retriable?: unknown };
  const fields: Record<string, unknown> = { name: value.name, message: value.message };
  for (const field of ['type', 'code', 'retriable'] as const) if (extra[field] !== undefined) fields[field] = extra[field];
  if (value.stack !== undefined) fields.stack = value.stack;
  // JSON.stringify applies this replacer to the cause as well.
  if (value.cause !== undefined) fields.cause = value.cause;
  return fields;
}
