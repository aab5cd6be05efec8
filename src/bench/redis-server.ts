/**
 * A throwaway local Redis for the BullMQ comparison: Debian's redis-server, installed with apt-get
 * when missing, on a free port, no persistence (Kafka's local broker does not fsync either).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { freePort } from '../dev/free-port';
import { waitFor } from '../util/wait-for';

function installed(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function ensureRedisServer(log: (line: string) => void): void {
  if (installed()) return;
  log('redis-server not found: installing Debian\'s redis-server with apt-get');
  const root = process.getuid?.() === 0;
  const apt = (args: string[]): void => void execFileSync(root ? 'apt-get' : 'sudo', root ? args : ['apt-get', ...args], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', 'redis-server']);
  if (!installed()) throw new Error('redis-server is still missing after apt-get install redis-server');
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class LocalRedis {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  static async start(log: (line: string) => void): Promise<LocalRedis> {
    ensureRedisServer(log);
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitFor(`redis-server on port ${port}`, () => answers(port), { timeoutMs: 10_000 });
    return new LocalRedis(port, child);
  }

  version(): string {
    return execFileSync('redis-server', ['--version']).toString().trim();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
