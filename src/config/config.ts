/**
 * The typed configuration of a node: defaults from config/default.json, each overridable by its
 * environment variable, all validated before anything starts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LogLevel } from '../log/logger';
import { projectRoot } from '../util/project-root';
import { SETTINGS, type Delivery, type Setting } from './settings';

export interface PunctualConfig {
  kafka: { brokers: string[]; clientId: string; transactionTimeoutMs: number };
  groupId: string;
  dataDir: string;
  httpPort: number;
  advertisedUrl: string;
  /** Empty: the node keeps a random id in its data folder. */
  nodeId: string;
  transactionIntervalMs: number;
  commitIntervalMs: number;
  delivery: Delivery;
  sessionTimeoutMs: number;
  misfireThresholdMs: number;
  maxDefinitionBytes: number;
  history: { limit: number; retentionMs: number };
  logLevel: LogLevel;
  auth: AuthConfig;
  tls: { certFile: string; keyFile: string };
  topics: { definitions: string; changelog: string; dlq: string; status: string; executionsDlq: string; calendars: string; partitions: number; replicationFactor: number };
}

export interface AuthConfig {
  mode: 'off' | 'jwt';
  jwtSecret: string;
  jwtPublicKeyFile: string;
  jwtJwksFile: string;
  issuer: string;
  audience: string;
  tenantClaim: string;
}

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function defaultConfigFile(): string {
  return path.join(projectRoot(), 'config', 'default.json');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, file: string = defaultConfigFile()): PunctualConfig {
  let defaults: unknown;
  try {
    defaults = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError('(file)', `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseConfig(defaults, env);
}

export function parseConfig(defaults: unknown, env: NodeJS.ProcessEnv): PunctualConfig {
  const read = <T>(setting: Setting<T>): T => readSetting(setting, defaults, env);
  const topics = {
    definitions: read(SETTINGS.definitionsTopic),
    changelog: read(SETTINGS.changelogTopic),
    dlq: read(SETTINGS.dlqTopic),
    status: read(SETTINGS.statusTopic),
    executionsDlq: read(SETTINGS.executionsDlqTopic),
    calendars: read(SETTINGS.calendarsTopic),
    partitions: read(SETTINGS.partitions),
    replicationFactor: read(SETTINGS.replicationFactor),
  };
  if (new Set([topics.definitions, topics.changelog, topics.dlq, topics.status, topics.executionsDlq, topics.calendars]).size !== 6) {
    throw new ConfigError('topics', `topics.definitions, topics.changelog, topics.dlq, topics.status, topics.executionsDlq and topics.calendars must differ, got ${JSON.stringify(topics)}`);
  }
  const auth: AuthConfig = {
    mode: read(SETTINGS.auth),
    jwtSecret: read(SETTINGS.jwtSecret),
    jwtPublicKeyFile: read(SETTINGS.jwtPublicKeyFile),
    jwtJwksFile: read(SETTINGS.jwtJwksFile),
    issuer: read(SETTINGS.jwtIssuer),
    audience: read(SETTINGS.jwtAudience),
    tenantClaim: read(SETTINGS.jwtTenantClaim),
  };
  const keySources = [auth.jwtSecret, auth.jwtPublicKeyFile, auth.jwtJwksFile].filter((source) => source !== '').length;
  if (auth.mode === 'jwt' && keySources !== 1) {
    throw new ConfigError('auth', `auth.mode jwt needs exactly one of PUNCTUAL_JWT_SECRET, PUNCTUAL_JWT_PUBLIC_KEY_FILE, PUNCTUAL_JWT_JWKS_FILE, got ${keySources}`);
  }
  const tls = { certFile: read(SETTINGS.tlsCertFile), keyFile: read(SETTINGS.tlsKeyFile) };
  if ((tls.certFile === '') !== (tls.keyFile === '')) {
    throw new ConfigError('tls', 'tls.certFile (PUNCTUAL_TLS_CERT_FILE) and tls.keyFile (PUNCTUAL_TLS_KEY_FILE) go together');
  }
  return {
    kafka: { brokers: read(SETTINGS.brokers), clientId: read(SETTINGS.clientId), transactionTimeoutMs: read(SETTINGS.transactionTimeoutMs) },
    groupId: read(SETTINGS.groupId),
    dataDir: read(SETTINGS.dataDir),
    httpPort: read(SETTINGS.httpPort),
    advertisedUrl: read(SETTINGS.advertisedUrl),
    nodeId: read(SETTINGS.nodeId),
    transactionIntervalMs: read(SETTINGS.transactionIntervalMs),
    commitIntervalMs: read(SETTINGS.commitIntervalMs),
    delivery: read(SETTINGS.delivery),
    sessionTimeoutMs: read(SETTINGS.sessionTimeoutMs),
    misfireThresholdMs: read(SETTINGS.misfireThresholdMs),
    maxDefinitionBytes: read(SETTINGS.maxDefinitionBytes),
    history: { limit: read(SETTINGS.historyLimit), retentionMs: read(SETTINGS.historyRetentionMs) },
    logLevel: read(SETTINGS.logLevel),
    auth,
    tls,
    topics,
  };
}

function readSetting<T>(setting: Setting<T>, defaults: unknown, env: NodeJS.ProcessEnv): T {
  const fromEnv = env[setting.env];
  const raw = fromEnv !== undefined ? fromEnv : valueAt(defaults, setting.key);
  const source = fromEnv !== undefined ? `environment variable ${setting.env}` : `config/default.json key ${setting.key}`;
  if (raw === undefined) throw new ConfigError(setting.key, `config key ${setting.key} is missing (set ${setting.env} or add it to config/default.json)`);
  try {
    return setting.parse(raw);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(setting.key, `invalid ${setting.key} from ${source}: ${JSON.stringify(raw)} ${reason}`);
  }
}

function valueAt(source: unknown, dotPath: string): unknown {
  let current = source;
  for (const part of dotPath.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
