import { parseKafkaCliArgs } from './kafka-cli-args';

test('defaults to one broker on a free port', () => {
  expect(parseKafkaCliArgs([])).toEqual({ brokers: 1 });
});

test('takes --brokers 3 and --port', () => {
  expect(parseKafkaCliArgs(['--brokers', '3', '--port', '9092'])).toEqual({ brokers: 3, port: 9092 });
});

test.each([
  [['--brokers', '2'], '--brokers must be 1 or 3, got 2'],
  [['--port'], '--port needs a whole number, got nothing'],
  [['--port', '99999'], '--port must be 1-65535, got 99999'],
  [['--verbose'], 'unknown argument --verbose'],
])('%j is refused', (argv, message) => {
  expect(() => parseKafkaCliArgs(argv)).toThrow(message);
});
