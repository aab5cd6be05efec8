import { readFileSync } from 'node:fs';
import { ConfigError, defaultConfigFile, loadConfig, parseConfig } from './config';

describe('configuration', () => {
  test('the shipped defaults load and give the documented values', () => {
    const config = loadConfig({});
    expect(config.kafka.brokers).toEqual([]);
    expect(config.topics).toEqual({
      definitions: 'punctual.definitions',
      changelog: 'punctual.changelog',
      dlq: 'punctual.dlq',
      status: 'punctual.status',
      executionsDlq: 'punctual.executions.dlq',
      calendars: 'punctual.calendars',
      partitions: 12,
      replicationFactor: -1,
    });
    expect(config.commitIntervalMs).toBe(100);
    expect(config.httpPort).toBe(8080);
  });

  test('environment variables override the defaults', () => {
    const config = loadConfig({
      KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
      PUNCTUAL_PARTITIONS: '3',
      PUNCTUAL_GROUP_ID: 'g',
      PUNCTUAL_DATA_DIR: '/tmp/x',
      PUNCTUAL_HTTP_PORT: '0',
    });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
    expect(config.topics.partitions).toBe(3);
    expect(config.groupId).toBe('g');
    expect(config.dataDir).toBe('/tmp/x');
    expect(config.httpPort).toBe(0);
  });

  test.each([
    ['PUNCTUAL_PARTITIONS', 'twelve', 'topics.partitions'],
    ['PUNCTUAL_PARTITIONS', '0', 'topics.partitions'],
    ['PUNCTUAL_HTTP_PORT', '70000', 'node.httpPort'],
    ['KAFKA_BROKERS', 'localhost', 'kafka.brokers'],
    ['PUNCTUAL_TOPIC_DLQ', 'bad topic', 'topics.dlq'],
    ['PUNCTUAL_REPLICATION_FACTOR', '0', 'topics.replicationFactor'],
    ['PUNCTUAL_LOG_LEVEL', 'loud', 'node.logLevel'],
  ])('%s=%s is rejected with an error naming %s and the value', (env, value, key) => {
    const attempt = (): unknown => loadConfig({ [env]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(key);
    expect(attempt).toThrow(JSON.stringify(value));
  });

  test('a key missing from the defaults is named', () => {
    const defaults = JSON.parse(readFileSync(defaultConfigFile(), 'utf8')) as { kafka: Record<string, unknown> };
    delete defaults.kafka.clientId;
    expect(() => parseConfig(defaults, {})).toThrow('config key kafka.clientId is missing');
  });

  test('internal topics must have distinct names', () => {
    expect(() => loadConfig({ PUNCTUAL_TOPIC_DLQ: 'punctual.definitions' })).toThrow('must differ');
  });
});
