/**
 * Cluster-wide lists over HTTP: every node answers for its own partitions, pages follow the cursor,
 * and partitions whose node does not answer are flagged, never silently left out.
 */
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { testPort, uniqueName } from '../helpers/kafka';
import { startApiNode, uniqueNodeEnv } from '../helpers/punctual';
import { startPunctualProcess } from '../../src/dev/punctual-process';
import { waitFor } from '../../src/util/wait-for';

jest.setTimeout(120_000);

async function get(url: string): Promise<{ status: number; headers: Headers; json: unknown }> {
  const response = await fetch(url);
  return { status: response.status, headers: response.headers, json: await response.json() };
}

test('lists page through every partition of the cluster and flag the partitions of a node that does not answer', async () => {
  const prefix = uniqueName('list');
  const env = { ...uniqueNodeEnv(prefix), PUNCTUAL_PARTITIONS: '4', PUNCTUAL_SESSION_TIMEOUT_MS: '20000' };
  const port = testPort();
  const local = await startApiNode(port, loadConfig(env));
  const other = startPunctualProcess({ ...env, PUNCTUAL_DATA_DIR: path.join(os.tmpdir(), 'punctual-test-data', prefix, 'other') });
  try {
    await other.ready();
    await waitFor('both nodes to own partitions', () => local.node.isReady() && local.node.ownedPartitions().length === 2);
    const host = uniqueName('h');
    const ids = Array.from({ length: 12 }, (_, i) => `${host}/s${String(i).padStart(2, '0')}`);
    for (const id of ids) {
      const response = await fetch(`${local.url}/v1/schedules/${id}?wait=applied`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ at: '2030-01-01T00:00:00Z', topic: 'list.out' }) });
      expect(response.status).toBe(200);
    }

    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const page = (await get(`${local.url}/v1/schedules?host=${host}&limit=5&cursor=${cursor}`)).json as { items: { id: string }[]; nextCursor: string | null; partial: boolean };
      expect(page.partial).toBe(false);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      pages++;
    }
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);

    const legacy = await get(`${local.url}/schedulers?host=${host}`);
    const idsOf = (definitions: unknown): string[] => (definitions as { host: string; name: string }[]).map((definition) => `${definition.host}/${definition.name}`);
    expect(idsOf(legacy.json)).toEqual(ids);
    const one = await get(`${local.url}/schedulers?host=${host}&name=s03`);
    expect(idsOf(one.json)).toEqual([`${host}/s03`]);

    // A frozen node keeps its partitions (until its session times out) but answers nothing.
    other.child.kill('SIGSTOP');
    const partial = await get(`${local.url}/v1/schedules?host=${host}&limit=100`);
    const body = partial.json as { items: { id: string }[]; partial: boolean; missingPartitions: number[] };
    expect(partial.headers.get('punctual-partial')).toBe('true');
    expect(body.partial).toBe(true);
    const frozenPartitions = [0, 1, 2, 3].filter((p) => !local.node.ownedPartitions().includes(p));
    expect(body.missingPartitions).toEqual(frozenPartitions);
    expect(body.items.map((item) => item.id)).toEqual(ids.filter((id) => local.node.ownedPartitions().includes(local.node.partitionOf(id))));
    const legacyPartial = await get(`${local.url}/schedulers?host=${host}`);
    expect(legacyPartial.headers.get('punctual-missing-partitions')).toBe(frozenPartitions.join(','));
  } finally {
    other.child.kill('SIGCONT');
    other.child.kill('SIGTERM');
    await other.exited;
    await local.stop();
  }
});
