/**
 * kafkajs' sockets with Nagle's algorithm off, as the Java client has them (TCP_NODELAY): a node
 * sends small requests side by side on one connection (AddPartitionsToTxn beside AddOffsetsToTxn
 * to the coordinator), and Nagle holds the second until the first is acknowledged.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

const KEEP_ALIVE_DELAY_MS = 60_000;

export const noDelaySocketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect) : net.connect({ host, port }, onConnect);
  socket.setNoDelay(true);
  socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
  return socket;
};
