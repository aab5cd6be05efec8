import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuthConfig } from '../config/config';
import { createAuthenticator, mayTouch } from './auth';
import { HttpError } from './http-error';

const base: AuthConfig = { mode: 'jwt', jwtSecret: '', jwtPublicKeyFile: '', jwtJwksFile: '', issuer: '', audience: '', tenantClaim: 'hosts' };
const dir = mkdtempSync(path.join(os.tmpdir(), 'punctual-auth-'));

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(error)}`);
  return error;
}

test('auth off lets everyone read and write every host', async () => {
  const principal = await (await createAuthenticator({ ...base, mode: 'off' })).authenticate(undefined);
  expect([...principal.scopes].sort()).toEqual(['schedules:read', 'schedules:write']);
  expect(mayTouch(principal, 'anything')).toBe(true);
});

test('RS256 tokens are checked against a PEM public key file, with scopes, tenants, issuer and audience', async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const file = path.join(dir, 'key.pem');
  writeFileSync(file, await exportSPKI(publicKey));
  const authenticator = await createAuthenticator({ ...base, jwtPublicKeyFile: file, issuer: 'issuer-1', audience: 'punctual' });
  const token = await new SignJWT({ scope: 'schedules:read schedules:write', hosts: ['a', 'b'] })
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer('issuer-1')
    .setAudience('punctual')
    .setExpirationTime('5m')
    .sign(privateKey);
  const principal = await authenticator.authenticate(`Bearer ${token}`);
  expect([...principal.scopes].sort()).toEqual(['schedules:read', 'schedules:write']);
  expect([mayTouch(principal, 'a'), mayTouch(principal, 'c')]).toEqual([true, false]);

  const other = await generateKeyPair('RS256');
  const forged = await new SignJWT({ scope: 'schedules:read' }).setProtectedHeader({ alg: 'RS256' }).setIssuer('issuer-1').setAudience('punctual').sign(other.privateKey);
  expect((await refusal(authenticator.authenticate(`Bearer ${forged}`))).status).toBe(401);
  const wrongAudience = await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setIssuer('issuer-1').setAudience('else').sign(privateKey);
  expect((await refusal(authenticator.authenticate(`Bearer ${wrongAudience}`))).message).toContain('aud');
});

test('a JWKS file picks the key by kid; "*" in the tenant claim allows every host', async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const file = path.join(dir, 'jwks.json');
  writeFileSync(file, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] }));
  const authenticator = await createAuthenticator({ ...base, jwtJwksFile: file, tenantClaim: 'tenants' });
  const token = await new SignJWT({ scp: ['schedules:read'], tenants: '*' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(privateKey);
  const principal = await authenticator.authenticate(`Bearer ${token}`);
  expect([...principal.scopes]).toEqual(['schedules:read']);
  expect(mayTouch(principal, 'any-host')).toBe(true);
});

test('a missing or malformed header is 401; unreadable key files stop start-up naming the setting', async () => {
  const authenticator = await createAuthenticator({ ...base, jwtSecret: 'secret' });
  expect((await refusal(authenticator.authenticate(undefined))).status).toBe(401);
  expect((await refusal(authenticator.authenticate('Basic abc'))).status).toBe(401);
  await expect(createAuthenticator({ ...base, jwtPublicKeyFile: path.join(dir, 'missing.pem') })).rejects.toThrow('auth.jwtPublicKeyFile');
});
