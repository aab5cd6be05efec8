/** JSON calls to a node's HTTP API, for end-to-end tests. */
import { waitFor } from '../../src/util/wait-for';

export interface JsonAnswer {
  status: number;
  json: Record<string, unknown>;
}

/** `body` goes as JSON; a string goes as it is (to send what is not JSON). */
export async function callJson(base: string, method: string, path: string, body?: unknown): Promise<JsonAnswer> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json' } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(`${base}${path}`, init);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** The schedule's view once it exists and `until` holds (20 s at most). */
export function viewWhen(base: string, id: string, until: (view: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>> {
  return waitFor(`schedule ${id}`, async () => {
    const found = await callJson(base, 'GET', `/v1/schedules/${id}`);
    return found.status === 200 && until(found.json) ? found.json : undefined;
  }, { timeoutMs: 20_000 });
}
