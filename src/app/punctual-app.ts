/**
 * One Punctual node with its HTTP API, wired once for `npm start` (main.ts) and the tests: internal
 * topics, the node, the REST writer and directory, the HTTP server. close() stops them in order:
 * HTTP first (no new requests), then the node (each task finishes its open transaction), then the
 * clients the API used.
 */
import { mkdir } from 'node:fs/promises';
import { createAuthenticator } from '../api/auth';
import { CalendarWriter } from '../api/calendar-writer';
import { DefinitionWriter } from '../api/definition-writer';
import { httpApp, listen, type TlsFiles } from '../api/http-app';
import { ScheduleDirectory } from '../api/schedule-directory';
import { CalendarTable } from '../cluster/calendar-table';
import { ensureInternalTopics } from '../cluster/internal-topics';
import { PunctualNode, type PunctualNodeOptions } from '../cluster/punctual-node';
import type { PunctualConfig } from '../config/config';
import type { Clock } from '../domain/clock';
import type { KafkaPort } from '../kafka/port';
import type { Logger } from '../log/logger';

/** How long start-up waits to read the calendars topic to its end. */
const CALENDARS_START_TIMEOUT_MS = 60_000;

export interface PunctualAppOptions {
  config: PunctualConfig;
  port: KafkaPort;
  clock: Clock;
  logger: Logger;
  /** HTTP port to listen on; 0 for any free one. */
  httpPort: number;
  tls?: TlsFiles;
  /** Called at once with the app's close(), so a shutdown during start-up (a long restore) stops what already runs. */
  onCloseable?: (close: () => Promise<void>) => void;
  /** Test only: the fault suite's hook in the node's transactions. */
  onTransactionStep?: PunctualNodeOptions['onTransactionStep'];
}

export interface PunctualApp {
  node: PunctualNode;
  /** Where this node's API answers (also what it advertises to the group, unless configured). */
  url: string;
  /** Internal topics created at start-up (the others existed). */
  createdTopics: string[];
  close(): Promise<void>;
}

/** Starts the node and its API; resolves once the node joined the group and runs every task it owns. */
export async function startPunctualApp({ config, port, clock, logger, httpPort, tls, onCloseable, onTransactionStep }: PunctualAppOptions): Promise<PunctualApp> {
  const steps: { name: string; run: () => Promise<void> }[] = [];
  /** Later steps stop first. */
  const onClose = (name: string, run: () => Promise<void>): void => void steps.unshift({ name, run });
  const close = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const step of steps.splice(0)) {
      try {
        await step.run();
      } catch (error) {
        logger.error('shutdown step failed', { step: step.name, error });
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `${errors.length} shutdown steps failed`);
  };
  onCloseable?.(close);
  try {
    const admin = port.createAdmin();
    await admin.connect();
    const createdTopics = await ensureInternalTopics(admin, config).finally(() => admin.close());
    if (createdTopics.length > 0) logger.info('internal topics created', { topics: createdTopics });
    await mkdir(config.dataDir, { recursive: true });

    // Read in full before any task starts, so the first fires already see every calendar.
    const calendars = new CalendarTable({ port, topic: config.topics.calendars, logger });
    onClose('calendars', () => calendars.stop());
    await calendars.start(CALENDARS_START_TIMEOUT_MS);
    const node = new PunctualNode({ config, port, clock, logger, calendars, ...(onTransactionStep ? { onTransactionStep } : {}) });
    calendars.onChange = (names) => void node.calendarsChanged(names);
    const producer = port.createProducer();
    await producer.connect();
    onClose('producer', () => producer.close());
    const directoryAdmin = port.createAdmin({ interactive: true });
    await directoryAdmin.connect();
    onClose('directory admin', () => directoryAdmin.close());
    onClose('node', () => node.stop());
    const schedules = {
      local: node,
      writer: new DefinitionWriter(producer, config.topics.definitions, config.maxDefinitionBytes),
      directory: new ScheduleDirectory(node, directoryAdmin, config.groupId, config.topics.definitions, config.topics.partitions),
      authenticator: await createAuthenticator(config.auth),
      calendars: { table: calendars, writer: new CalendarWriter(producer, config.topics.calendars) },
      clock,
    };
    const http = await listen(httpApp({ node, schedules, maxDefinitionBytes: config.maxDefinitionBytes, logger }), httpPort, tls);
    onClose('http', () => http.close());
    const url = `${tls ? 'https' : 'http'}://127.0.0.1:${http.port}`;
    await node.start(config.advertisedUrl || url);
    await node.ready;
    return { node, url, createdTopics, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
