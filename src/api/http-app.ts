/** The node's HTTP server: schedules API, liveness, readiness and Prometheus metrics. */
import express from 'express';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { silentLogger, type Logger } from '../log/logger';
import { errorMiddleware } from './http-error';
import { openApiDocument } from './openapi';
import { scheduleRoutes, type ScheduleRoutesDeps } from './schedule-routes';

export interface NodeView {
  isReady(): boolean;
  ownedPartitions(): number[];
  /** Owned partitions whose ingest waits for a target topic the cluster cannot create right now. */
  waitingForTargetTopics(): { partition: number; topic: string }[];
  readonly metrics: { readonly registry: Registry };
}

export interface HttpAppOptions {
  node: NodeView;
  /** The schedules API; without it the app serves health and metrics only. */
  schedules?: ScheduleRoutesDeps;
  /**
   * Largest definition, measured on the record value written to Kafka (DefinitionWriter), the bytes
   * the Kafka ingest path measures. A request body may be up to twice as large (whitespace, fields
   * the record leaves out) before the parser refuses it unread.
   */
  maxDefinitionBytes?: number;
  logger?: Logger;
}

export function httpApp({ node, schedules, maxDefinitionBytes = 262_144, logger = silentLogger }: HttpAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: 2 * maxDefinitionBytes, strict: false }));
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'live' });
  });
  app.get('/health/ready', (_req, res) => {
    const ready = node.isReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', partitions: node.ownedPartitions(), waitingForTargetTopics: node.waitingForTargetTopics() });
  });
  app.get('/metrics', async (_req, res) => {
    const registry = node.metrics.registry;
    res.type(registry.contentType).send(await registry.metrics());
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  if (schedules) app.use(scheduleRoutes(schedules));
  app.use((req, res) => {
    res.status(404).json({ error: 'no_route', message: `no route for ${req.method} ${req.path}` });
  });
  app.use(errorMiddleware(logger));
  return app;
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** TLS material in PEM; with it the server speaks HTTPS. */
export interface TlsFiles {
  cert: string;
  key: string;
}

export function listen(app: express.Express, port: number, tls?: TlsFiles): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, app) : createHttpServer(app);
    server.listen(port, '0.0.0.0');
    server.once('error', reject);
    server.once('listening', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
