/** The node's HTTP server: liveness, readiness and Prometheus metrics. */
import express from 'express';
import type { Registry } from 'prom-client';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NodeView {
  isReady(): boolean;
  ownedPartitions(): number[];
  readonly metrics: { readonly registry: Registry };
}

export function httpApp(node: NodeView): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'live' });
  });
  app.get('/health/ready', (_req, res) => {
    const ready = node.isReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', partitions: node.ownedPartitions() });
  });
  app.get('/metrics', async (_req, res, next) => {
    try {
      const registry = node.metrics.registry;
      res.type(registry.contentType).send(await registry.metrics());
    } catch (error) {
      next(error);
    }
  });
  return app;
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

export function listen(app: express.Express, port: number): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(port, '0.0.0.0');
    server.once('error', reject);
    server.once('listening', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
