import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../util/project-root';
import { SETTINGS } from './settings';

const doc = readFileSync(path.join(projectRoot(), 'docs', 'configuration.md'), 'utf8');
const defaults = JSON.parse(readFileSync(path.join(projectRoot(), 'config', 'default.json'), 'utf8')) as Record<string, Record<string, unknown>>;

/** The table's rows by key: [environment variable, default, meaning]. */
const rows = new Map(
  doc
    .split('\n')
    .map((line) => line.match(/^\| `([^`]+)` \| `([^`]+)` \| ([^|]+) \| (.+) \|$/))
    .flatMap((match) => (match ? [[match[1] ?? '', [match[2] ?? '', (match[3] ?? '').trim(), match[4] ?? '']] as const] : [])),
);

test('docs/configuration.md lists exactly the settings, each with its environment variable and default', () => {
  expect([...rows.keys()].sort()).toEqual(Object.values(SETTINGS).map((setting) => setting.key).sort());
  for (const setting of Object.values(SETTINGS)) {
    const [section, name] = setting.key.split('.') as [string, string];
    const value = defaults[section]?.[name];
    const [env, documented] = rows.get(setting.key) ?? [];
    expect({ key: setting.key, env, default: documented }).toEqual({ key: setting.key, env: setting.env, default: value === '' ? 'empty' : `\`${String(value)}\`` });
  }
});
