import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../util/project-root';
import { SETTINGS } from './settings';

test('docs/configuration.md lists every setting with its key and environment variable', () => {
  const doc = readFileSync(path.join(projectRoot(), 'docs', 'configuration.md'), 'utf8');
  for (const setting of Object.values(SETTINGS)) {
    expect(doc).toContain(`| \`${setting.key}\` | \`${setting.env}\` |`);
  }
});
