import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../util/project-root';
import { PunctualMetrics } from './metrics';

test('docs/metrics.md lists exactly the Punctual metrics, each with its type and labels', async () => {
  const doc = readFileSync(path.join(projectRoot(), 'docs', 'metrics.md'), 'utf8');
  const rows = doc
    .split('\n')
    .map((line) => line.match(/^\| `(punctual_\w+)` \| (\w+) \|([^|]*)\|/))
    .flatMap((match) => (match ? [{ name: match[1], type: match[2], labels: (match[3] ?? '').trim().replace(/`/g, '') }] : []));
  const metrics = new PunctualMetrics({ partitions: () => new Map() });
  const declared = metrics.registry
    .getMetricsAsArray()
    .filter((metric) => metric.name.startsWith('punctual_'))
    .map((metric) => {
      const { labelNames = [] } = metric as unknown as { labelNames?: string[] };
      return { name: metric.name, type: String(metric.type), labels: labelNames.join(', ') };
    });
  expect(declared.length).toBeGreaterThan(10);
  expect(rows.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))).toEqual(declared.sort((a, b) => a.name.localeCompare(b.name)));
});
