import { KAFKAJS_VERSION, installedKafkajsVersion, wrapKafkajsMethod } from './kafkajs-internals';

const untouched = (original: () => Promise<unknown>) => original;

test('the installed kafkajs is the release the replacements were proven against', () => {
  expect(installedKafkajsVersion()).toBe(KAFKAJS_VERSION);
});

test('a module that is not there replaces nothing and says so, without throwing', () => {
  expect(wrapKafkajsMethod('test', 'kafkajs/src/no-such-module', 'fetch', untouched)).toBe(false);
});

test('a method that is not there replaces nothing', () => {
  expect(wrapKafkajsMethod('test', 'kafkajs/src/broker', 'noSuchMethod', untouched)).toBe(false);
});

test('another kafkajs version replaces nothing, even where the method exists', () => {
  expect(wrapKafkajsMethod('test', 'kafkajs/src/broker', 'metadata', untouched, '2.3.0')).toBe(false);
});
