/** The node's HTTP server. For now: liveness and readiness. */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthSource {
  isReady(): boolean;
  ownedPartitions(): number[];
}

export function healthApp(node: HealthSource): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'live' });
  });
  app.get('/health/ready', (_req, res) => {
    const ready = node.isReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', partitions: node.ownedPartitions() });
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
