/**
 * A TCP proxy in front of one local broker that can hold back requests of chosen Kafka APIs: a
 * broker that stalls on them, as an overloaded or half-partitioned one does. The broker advertises
 * the proxy's port (LocalKafkaOptions.advertisedPort), so every client connection goes through it.
 *
 * Kafka requests are frames of a 4-byte length and a header whose first field is the API key. A
 * held frame holds the frames after it on the same connection too (Kafka answers a connection's
 * requests in order); answers flow back untouched.
 */
import net from 'node:net';

/** Kafka API keys (the protocol's request header), for the requests a test holds back. */
export const API_KEYS = { produce: 0, fetch: 1, metadata: 3, createTopics: 19, endTxn: 26 } as const;

export class KafkaFaultProxy {
  private readonly held = new Set<number>();
  private readonly connections = new Set<ProxiedConnection>();

  private readonly server: net.Server;
  private listeningPort = 0;

  private constructor(targetPort: number) {
    this.server = net.createServer((client) => this.accept(client, targetPort));
  }

  /** Listens on `port` (0 for any) and forwards to the broker at `targetPort` on loopback. */
  static async start(port: number, targetPort: number): Promise<KafkaFaultProxy> {
    const proxy = new KafkaFaultProxy(targetPort);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = proxy.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('the proxy has no address');
    proxy.listeningPort = address.port;
    return proxy;
  }

  /** The port clients connect to. */
  get port(): number {
    return this.listeningPort;
  }

  /** Holds back every request of `apiKey` (and what follows it on its connection) until released. */
  hold(apiKey: number): void {
    this.held.add(apiKey);
  }

  release(apiKey: number): void {
    this.held.delete(apiKey);
    for (const connection of this.connections) connection.flush();
  }

  /** Requests of `apiKey` that arrived while held and have not been forwarded yet. */
  heldRequests(apiKey: number): number {
    return [...this.connections].reduce((sum, connection) => sum + connection.waiting(apiKey), 0);
  }

  async stop(): Promise<void> {
    for (const connection of this.connections) connection.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, targetPort: number): void {
    const connection = new ProxiedConnection(client, net.connect(targetPort, '127.0.0.1'), (apiKey) => this.held.has(apiKey));
    this.connections.add(connection);
    connection.closed.then(() => this.connections.delete(connection), () => this.connections.delete(connection));
  }
}

class ProxiedConnection {
  private buffered = Buffer.alloc(0);
  private readonly frames: { apiKey: number; bytes: Buffer }[] = [];
  readonly closed: Promise<void>;

  constructor(
    private readonly client: net.Socket,
    private readonly broker: net.Socket,
    private readonly isHeld: (apiKey: number) => boolean,
  ) {
    broker.pipe(client);
    client.on('data', (chunk: Buffer) => this.received(chunk));
    this.closed = new Promise((resolve) => {
      const end = (): void => {
        this.destroy();
        resolve();
      };
      for (const socket of [client, broker]) {
        socket.on('close', end);
        socket.on('error', end);
      }
    });
  }

  waiting(apiKey: number): number {
    return this.frames.filter((frame) => frame.apiKey === apiKey).length;
  }

  /** Forwards queued frames in order, up to the first one that is held. */
  flush(): void {
    while (this.frames.length > 0 && !this.isHeld(this.frames[0]!.apiKey)) this.broker.write(this.frames.shift()!.bytes);
  }

  destroy(): void {
    this.client.destroy();
    this.broker.destroy();
  }

  private received(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 6) {
      const length = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + length) break;
      this.frames.push({ apiKey: this.buffered.readInt16BE(4), bytes: this.buffered.subarray(0, 4 + length) });
      this.buffered = this.buffered.subarray(4 + length);
    }
    this.flush();
  }
}
