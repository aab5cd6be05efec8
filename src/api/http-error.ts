/** Errors that become HTTP answers, and the middleware that writes them as JSON. */
import type { ErrorRequestHandler } from 'express';
import { KafkaPortError } from '../kafka/errors';
import type { Logger } from '../log/logger';

/** Seconds a client is asked to wait before retrying a 503. */
const KAFKA_RETRY_AFTER_S = 1;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    /** A stable machine-readable code, e.g. "not_found". */
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  length?: number;
}

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (thrown: unknown, _req, res, _next) => {
    void _next;
    const error = thrown instanceof KafkaPortError && thrown.retriable ? new HttpError(503, 'kafka_unavailable', `Kafka is unavailable: ${thrown.message}`) : thrown;
    if (error instanceof HttpError) {
      if (error.status === 503) res.set('retry-after', String(KAFKA_RETRY_AFTER_S));
      res.status(error.status).json({ error: error.code, message: error.message, ...error.details });
      return;
    }
    const parser = error as BodyParserError;
    if (parser.type === 'entity.too.large') {
      res.status(413).json({ error: 'body_too_large', message: `the body is ${parser.length} bytes, over the limit of ${parser.limit}` });
      return;
    }
    if (parser.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'invalid_json', field: '(body)', message: `the body is not JSON: ${(error as Error).message}` });
      return;
    }
    logger.error('request failed', { error });
    res.status(500).json({ error: 'internal', message: 'internal error' });
  };
}
