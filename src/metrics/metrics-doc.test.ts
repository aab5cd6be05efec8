import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../util/project-root';
import { PunctualMetrics } from './metrics';

test('docs/metrics.md lists every Punctual metric', async () => {
  const doc = readFileSync(path.join(projectRoot(), 'docs', 'metrics.md'), 'utf8');
  const metrics = new PunctualMetrics({ partitions: () => new Map() });
  const names = (await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name).filter((name) => name.startsWith('punctual_'));
  expect(names.length).toBeGreaterThan(10);
  for (const name of names) expect(doc).toContain(`| \`${name}\` |`);
});
