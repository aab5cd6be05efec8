/**
 * Every configuration key: where its default lives in config/default.json, the environment variable
 * that overrides it, a line of doc, and how a value is checked. docs/configuration.md lists the same.
 */
import { LOG_LEVELS, type LogLevel } from '../log/logger';

export interface Setting<T> {
  /** Dot path in config/default.json. */
  key: string;
  env: string;
  doc: string;
  /** Returns the value or throws an Error whose message says what is allowed. */
  parse(raw: unknown): T;
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

function text(raw: unknown): string {
  if (typeof raw !== 'string') throw new Error('must be a string');
  return raw;
}

function nonEmpty(raw: unknown): string {
  const value = text(raw).trim();
  if (value === '') throw new Error('must not be empty');
  return value;
}

function wholeNumber(min: number, max: number): (raw: unknown) => number {
  return (raw) => {
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new Error(`must be a whole number from ${min} to ${max}`);
    }
    return value;
  };
}

function topicName(raw: unknown): string {
  const value = nonEmpty(raw);
  if (!TOPIC_NAME.test(value)) throw new Error('must be a Kafka topic name: 1-249 of letters, digits, . _ -');
  return value;
}

/** Empty means "no cluster given": npm start then runs a local broker. */
function brokerList(raw: unknown): string[] {
  const value = text(raw).trim();
  if (value === '') return [];
  const brokers = value.split(',').map((broker) => broker.trim());
  for (const broker of brokers) {
    if (!/^[^\s:,]+:\d{1,5}$/.test(broker)) throw new Error(`"${broker}" is not host:port`);
  }
  return brokers;
}

/** A parser accepting exactly one of `values`. */
function oneOf<T extends string>(values: readonly T[]): (raw: unknown) => T {
  const allowed = values.length > 2 ? `one of ${values.join(', ')}` : values.join(' or ');
  return (raw) => {
    const value = text(raw) as T;
    if (!values.includes(value)) throw new Error(`must be ${allowed}`);
    return value;
  };
}

export type Delivery = 'exactly-once' | 'at-least-once';

export const SETTINGS = {
  brokers: {
    key: 'kafka.brokers',
    env: 'KAFKA_BROKERS',
    doc: 'Bootstrap brokers, host:port comma-separated. Empty: npm start runs a local broker.',
    parse: brokerList,
  },
  transactionTimeoutMs: {
    key: 'kafka.transactionTimeoutMs',
    env: 'PUNCTUAL_TRANSACTION_TIMEOUT_MS',
    doc: "How long a transaction coordinator lets a partition's transaction stay open before it aborts it (transaction.timeout.ms; at most the broker's transaction.max.timeout.ms).",
    parse: wholeNumber(1_000, 900_000),
  },
  clientId: { key: 'kafka.clientId', env: 'PUNCTUAL_CLIENT_ID', doc: 'Kafka client.id prefix of this node.', parse: nonEmpty },
  groupId: {
    key: 'node.groupId',
    env: 'PUNCTUAL_GROUP_ID',
    doc: 'Consumer group of all Punctual nodes of one cluster; also prefixes transactional ids.',
    parse: nonEmpty,
  },
  dataDir: {
    key: 'node.dataDir',
    env: 'PUNCTUAL_DATA_DIR',
    doc: 'Folder for node-local state (created at start): one LevelDB store per owned partition. Relative paths are relative to the working directory.',
    parse: nonEmpty,
  },
  httpPort: {
    key: 'node.httpPort',
    env: 'PUNCTUAL_HTTP_PORT',
    doc: 'HTTP port of the node: the schedules API, health, metrics and OpenAPI. 0 takes a free port.',
    parse: wholeNumber(0, 65535),
  },
  advertisedUrl: {
    key: 'node.advertisedUrl',
    env: 'PUNCTUAL_ADVERTISED_URL',
    doc: 'Base URL other nodes use to reach this node (forwarded reads). Empty: http://127.0.0.1:<http port>.',
    parse: (raw: unknown) => {
      const value = text(raw).trim().replace(/\/+$/, '');
      if (value !== '' && !/^https?:\/\/[^\s/]+$/.test(value)) throw new Error('must be empty or http(s)://host[:port]');
      return value;
    },
  },
  auth: {
    key: 'auth.mode',
    env: 'PUNCTUAL_AUTH',
    doc: 'off (default) or jwt: HTTP requests to the schedules API need a bearer token.',
    parse: oneOf(['off', 'jwt'] as const),
  },
  jwtSecret: { key: 'auth.jwtSecret', env: 'PUNCTUAL_JWT_SECRET', doc: 'HS256 shared secret (one of the three key sources).', parse: text },
  jwtPublicKeyFile: { key: 'auth.jwtPublicKeyFile', env: 'PUNCTUAL_JWT_PUBLIC_KEY_FILE', doc: 'RS256 public key, a PEM (SPKI) file.', parse: text },
  jwtJwksFile: { key: 'auth.jwtJwksFile', env: 'PUNCTUAL_JWT_JWKS_FILE', doc: 'A JSON Web Key Set file (keys chosen by kid).', parse: text },
  jwtIssuer: { key: 'auth.issuer', env: 'PUNCTUAL_JWT_ISSUER', doc: 'Required iss claim; empty accepts any.', parse: text },
  jwtAudience: { key: 'auth.audience', env: 'PUNCTUAL_JWT_AUDIENCE', doc: 'Required aud claim; empty accepts any.', parse: text },
  jwtTenantClaim: {
    key: 'auth.tenantClaim',
    env: 'PUNCTUAL_JWT_TENANT_CLAIM',
    doc: 'Claim listing the host values a token may touch (an array, or "*" for all).',
    parse: nonEmpty,
  },
  tlsCertFile: { key: 'tls.certFile', env: 'PUNCTUAL_TLS_CERT_FILE', doc: 'PEM certificate: with tls.keyFile, the node serves HTTPS.', parse: text },
  tlsKeyFile: { key: 'tls.keyFile', env: 'PUNCTUAL_TLS_KEY_FILE', doc: 'PEM private key of tls.certFile.', parse: text },
  nodeId: {
    key: 'node.id',
    env: 'PUNCTUAL_NODE_ID',
    doc: "This node's name in its transactional.id (<groupId>-node-<id>): unique per node, the same across its restarts. Empty: a random id kept in the data folder (node-id).",
    parse: (raw: unknown) => {
      const value = text(raw).trim();
      if (!/^[A-Za-z0-9._-]{0,100}$/.test(value)) throw new Error('must be empty or 1-100 of letters, digits, . _ -');
      return value;
    },
  },
  transactionIntervalMs: {
    key: 'node.transactionIntervalMs',
    env: 'PUNCTUAL_TRANSACTION_INTERVAL_MS',
    doc: "Least time between the starts of two of the node's transactions: work that comes due meanwhile shares the next one. 0 begins each as soon as the last one ended.",
    parse: wholeNumber(0, 1_000),
  },
  commitIntervalMs: {
    key: 'node.commitIntervalMs',
    env: 'PUNCTUAL_COMMIT_INTERVAL_MS',
    doc: 'Longest time input offsets wait before a transaction commits them when nothing else is due.',
    parse: wholeNumber(1, 60_000),
  },
  delivery: {
    key: 'node.delivery',
    env: 'PUNCTUAL_DELIVERY',
    doc: 'exactly-once (default): transactions. at-least-once exists only for the benchmark\'s exactly-once cost: no transactions, so a crash or rebalance can fire an occurrence twice.',
    parse: oneOf<Delivery>(['exactly-once', 'at-least-once']),
  },
  sessionTimeoutMs: {
    key: 'node.sessionTimeoutMs',
    env: 'PUNCTUAL_SESSION_TIMEOUT_MS',
    doc: 'Consumer-group session timeout: how long a silent node keeps its partitions.',
    parse: wholeNumber(1_000, 300_000),
  },
  misfireThresholdMs: {
    key: 'node.misfireThresholdMs',
    env: 'PUNCTUAL_MISFIRE_THRESHOLD_MS',
    doc: "How late an occurrence may be before it counts as missed and the schedule's misfire policy applies.",
    parse: wholeNumber(0, 86_400_000),
  },
  maxDefinitionBytes: {
    key: 'node.maxDefinitionBytes',
    env: 'PUNCTUAL_MAX_DEFINITION_BYTES',
    doc: "Largest accepted definition value, measured on the record value: larger ones go to the dead letter topic, and REST refuses them with 413. Its event and changelog record must fit the broker's max.message.bytes.",
    parse: wholeNumber(1_024, 900 * 1024),
  },
  historyLimit: {
    key: 'history.limit',
    env: 'PUNCTUAL_HISTORY_LIMIT',
    doc: 'Occurrence outcomes kept per schedule (GET .../history), the latest ones.',
    parse: wholeNumber(1, 10_000),
  },
  historyRetentionMs: {
    key: 'history.retentionMs',
    env: 'PUNCTUAL_HISTORY_RETENTION_MS',
    doc: "Longest time an occurrence's outcome is kept after its due time, also once the schedule ended or was deleted.",
    parse: wholeNumber(60_000, 366 * 86_400_000),
  },
  logLevel: { key: 'node.logLevel', env: 'PUNCTUAL_LOG_LEVEL', doc: `Log level: ${LOG_LEVELS.join(', ')}.`, parse: oneOf<LogLevel>(LOG_LEVELS) },
  definitionsTopic: { key: 'topics.definitions', env: 'PUNCTUAL_TOPIC_DEFINITIONS', doc: 'Input topic of schedule definitions.', parse: topicName },
  changelogTopic: { key: 'topics.changelog', env: 'PUNCTUAL_TOPIC_CHANGELOG', doc: 'Compacted changelog of schedule state.', parse: topicName },
  dlqTopic: { key: 'topics.dlq', env: 'PUNCTUAL_TOPIC_DLQ', doc: 'Dead letter topic for invalid definitions and those whose target topic the cluster refuses.', parse: topicName },
  statusTopic: { key: 'topics.status', env: 'PUNCTUAL_TOPIC_STATUS', doc: 'Execution outcomes written by executors, keyed by schedule id (same partition count as the definitions).', parse: topicName },
  executionsDlqTopic: { key: 'topics.executionsDlq', env: 'PUNCTUAL_TOPIC_EXECUTIONS_DLQ', doc: 'Fires executors gave up on, and events they could not run, with the reason.', parse: topicName },
  calendarsTopic: { key: 'topics.calendars', env: 'PUNCTUAL_TOPIC_CALENDARS', doc: 'Compacted topic of exclusion calendars (key: name), read in full by every node.', parse: topicName },
  partitions: {
    key: 'topics.partitions',
    env: 'PUNCTUAL_PARTITIONS',
    doc: 'Partition count of the definitions, changelog and status topics; start-up fails if existing topics differ.',
    parse: wholeNumber(1, 10_000),
  },
  replicationFactor: {
    key: 'topics.replicationFactor',
    env: 'PUNCTUAL_REPLICATION_FACTOR',
    doc: "Replication factor of internal topics Punctual creates; -1 takes the broker's default.replication.factor.",
    parse: (raw: unknown) => {
      const value = wholeNumber(-1, 32)(raw);
      if (value === 0) throw new Error('must be -1 (broker default) or from 1 to 32');
      return value;
    },
  },
} satisfies Record<string, Setting<unknown>>;
