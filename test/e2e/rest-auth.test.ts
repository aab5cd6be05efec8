/**
 * Auth switched on (HS256), over HTTP against the real broker: 401 without a valid token, 403
 * without the scope, another tenant's schedules answer 404 and are left out of lists; health,
 * metrics and the OpenAPI document stay open. And the node serves HTTPS when given a certificate.
 */
import { SignJWT } from 'jose';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { testPort, uniqueName } from '../helpers/kafka';
import { startApiNode, testConfig, type ApiNode } from '../helpers/punctual';

jest.setTimeout(120_000);

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
let api: ApiNode;

beforeAll(async () => {
  api = await startApiNode(testPort(), testConfig({ PUNCTUAL_AUTH: 'jwt', PUNCTUAL_JWT_SECRET: SECRET }));
});

afterAll(async () => {
  await api.stop();
});

function token(claims: Record<string, unknown>, expiresIn = '5m'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(expiresIn).sign(new TextEncoder().encode(SECRET));
}

async function call(method: string, path: string, bearer?: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> | unknown[] }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const response = await fetch(`${api.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, json: (await response.json().catch(() => ({}))) as Record<string, unknown> };
}

test('tokens, scopes and tenants decide who may read and write what', async () => {
  const [a, b] = [uniqueName('tenant-a'), uniqueName('tenant-b')];
  const both = 'schedules:read schedules:write';
  const tenantA = await token({ scope: both, hosts: [a] });
  const tenantB = await token({ scope: both, hosts: [b] });
  const readerA = await token({ scope: 'schedules:read', hosts: [a] });
  const expired = await token({ scope: both, hosts: [a] }, '-1m');
  const forged = await new SignJWT({ scope: both, hosts: [a] }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('another-secret-another-secret-123'));
  const definition = { at: '2030-01-01T00:00:00Z', topic: 'auth.out' };

  expect((await call('PUT', `/v1/schedules/${a}/x`, undefined, definition)).status).toBe(401);
  expect((await call('PUT', `/v1/schedules/${a}/x`, expired, definition)).status).toBe(401);
  expect((await call('PUT', `/v1/schedules/${a}/x`, forged, definition)).status).toBe(401);
  expect((await call('PUT', `/v1/schedules/${a}/x`, readerA, definition)).status).toBe(403);
  expect((await call('PUT', `/v1/schedules/${a}/x?wait=applied`, tenantA, definition)).status).toBe(200);
  expect((await call('PUT', `/v1/schedules/${b}/y?wait=applied`, tenantB, definition)).status).toBe(200);

  expect((await call('GET', `/v1/schedules/${a}/x`, readerA)).status).toBe(200);
  // Tenant B cannot see, change or delete tenant A's schedule, nor learn that it exists.
  expect((await call('GET', `/v1/schedules/${a}/x`, tenantB)).status).toBe(404);
  expect((await call('GET', `/v1/schedules/${a}/x/next`, tenantB)).status).toBe(404);
  expect((await call('DELETE', `/v1/schedules/${a}/x`, tenantB)).status).toBe(404);
  expect((await call('PUT', `/v1/schedules/${a}/x`, tenantB, definition)).status).toBe(404);
  expect((await call('POST', '/schedulers', tenantB, { host: a, name: 'z', action: 'INSERT', ...definition })).status).toBe(404);
  const listB = (await call('GET', '/v1/schedules?limit=1000', tenantB)).json as { items: { host: string }[] };
  expect(new Set(listB.items.map((item) => item.host))).toEqual(new Set([b]));
  expect((await call('GET', `/schedulers?host=${a}`, tenantB)).json).toEqual([]);

  // Open without a token: health, metrics, the OpenAPI document.
  for (const open of ['/health/live', '/health/ready', '/openapi.json']) expect((await call('GET', open)).status).toBe(200);
  expect((await fetch(`${api.url}/metrics`)).status).toBe(200);
});

test('paging with two tenants whose schedules interleave: every page is full until the last', async () => {
  const base = uniqueName('page');
  // Hosts <base>-00 ... <base>-11 in id order; one tenant owns the even ones, the other the odd ones.
  const hosts = Array.from({ length: 12 }, (_, i) => `${base}-${String(i).padStart(2, '0')}`);
  const tenants = [0, 1].map((parity) => hosts.filter((_, i) => i % 2 === parity));
  const tokens = await Promise.all(tenants.map((owned) => token({ scope: 'schedules:read schedules:write', hosts: owned })));
  for (const [t, owned] of tenants.entries()) {
    for (const host of owned) expect((await call('PUT', `/v1/schedules/${host}/s?wait=applied`, tokens[t], { at: '2030-01-01T00:00:00Z', topic: 'auth.out' })).status).toBe(200);
  }
  for (const [t, owned] of tenants.entries()) {
    const pages: string[][] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = (await call('GET', `/v1/schedules?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, tokens[t])).json as { items: { id: string }[]; nextCursor: string | null; partial: boolean };
      expect(page.partial).toBe(false);
      pages.push(page.items.map((item) => item.id).filter((id) => id.startsWith(base)));
      cursor = page.nextCursor;
    }
    const full = pages.filter((page) => page.length > 0);
    expect(full.flat()).toEqual(owned.map((host) => `${host}/s`));
    expect(full.slice(0, -1).every((page) => page.length === 2)).toBe(true);
  }
});

test('with a certificate and key the node serves HTTPS', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'punctual-tls-'));
  const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const secure = await startApiNode(testPort(), testConfig(), { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') });
  try {
    expect(secure.url.startsWith('https://')).toBe(true);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      https.get(`${secure.url}/health/live`, { ca: readFileSync(cert) }, (response) => resolve(response.statusCode)).on('error', reject);
    });
    expect(status).toBe(200);
  } finally {
    await secure.stop();
  }
});
