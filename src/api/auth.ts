/**
 * JWT bearer authentication for the schedules API, off by default (`PUNCTUAL_AUTH=jwt` turns it on).
 * Keys: an HS256 secret, an RS256 public key file, or a JWKS file. Scopes `schedules:read` and
 * `schedules:write` (in `scope`, space-separated, or `scp`, an array) allow reads and writes; the
 * tenant claim lists the hosts a token may touch. Another tenant's schedule answers 404, so its
 * existence does not leak.
 */
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, importSPKI, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyOptions, type KeyLike } from 'jose';
import type { AuthConfig } from '../config/config';
import { ConfigError } from '../config/config';
import type { ScheduleId } from '../domain/definition';
import { HttpError } from './http-error';

export type Scope = 'schedules:read' | 'schedules:write';

export interface Principal {
  scopes: ReadonlySet<string>;
  /** Hosts this caller may touch; '*' for all. */
  hosts: '*' | ReadonlySet<string>;
}

export const UNRESTRICTED: Principal = { scopes: new Set<Scope>(['schedules:read', 'schedules:write']), hosts: '*' };

export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<Principal>;
}

type Verify = (token: string, options: JWTVerifyOptions) => Promise<JWTPayload>;

export async function createAuthenticator(auth: AuthConfig): Promise<Authenticator> {
  if (auth.mode === 'off') return { authenticate: async () => UNRESTRICTED };
  const { verify, algorithms } = await verifier(auth);
  const options: JWTVerifyOptions = { algorithms };
  if (auth.issuer) options.issuer = auth.issuer;
  if (auth.audience) options.audience = auth.audience;
  return {
    async authenticate(authorization) {
      const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
      if (!token) throw new HttpError(401, 'unauthorized', 'a bearer token is required (Authorization: Bearer <JWT>)');
      let payload: JWTPayload;
      try {
        payload = await verify(token, options);
      } catch (error) {
        throw new HttpError(401, 'unauthorized', `the bearer token was refused: ${error instanceof Error ? error.message : String(error)}`);
      }
      return principalOf(payload, auth.tenantClaim);
    },
  };
}

async function verifier(auth: AuthConfig): Promise<{ verify: Verify; algorithms: string[] }> {
  if (auth.jwtSecret) {
    const secret = new TextEncoder().encode(auth.jwtSecret);
    return { verify: async (token, options) => (await jwtVerify(token, secret, options)).payload, algorithms: ['HS256'] };
  }
  if (auth.jwtPublicKeyFile) {
    const pem = readKeyFile(auth.jwtPublicKeyFile, 'auth.jwtPublicKeyFile');
    let key: KeyLike;
    try {
      key = await importSPKI(pem, 'RS256');
    } catch (error) {
      throw new ConfigError('auth.jwtPublicKeyFile', `auth.jwtPublicKeyFile ${auth.jwtPublicKeyFile} is not an RS256 public key (PEM, SPKI): ${String(error)}`);
    }
    return { verify: async (token, options) => (await jwtVerify(token, key, options)).payload, algorithms: ['RS256'] };
  }
  const text = readKeyFile(auth.jwtJwksFile, 'auth.jwtJwksFile');
  try {
    const keys = createLocalJWKSet(JSON.parse(text) as JSONWebKeySet);
    return { verify: async (token, options) => (await jwtVerify(token, keys, options)).payload, algorithms: ['RS256', 'ES256'] };
  } catch (error) {
    throw new ConfigError('auth.jwtJwksFile', `auth.jwtJwksFile ${auth.jwtJwksFile} is not a JSON Web Key Set: ${String(error)}`);
  }
}

function readKeyFile(file: string, key: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(key, `cannot read ${key} ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function principalOf(payload: JWTPayload, tenantClaim: string): Principal {
  const scopes = new Set<string>();
  if (typeof payload.scope === 'string') payload.scope.split(' ').filter(Boolean).forEach((scope) => scopes.add(scope));
  if (Array.isArray(payload.scp)) payload.scp.filter((scope): scope is string => typeof scope === 'string').forEach((scope) => scopes.add(scope));
  const tenants = payload[tenantClaim];
  const hosts = tenants === '*' ? '*' : new Set(Array.isArray(tenants) ? tenants.filter((host): host is string => typeof host === 'string') : []);
  return { scopes, hosts };
}

export function requireScope(principal: Principal, scope: Scope): void {
  if (!principal.scopes.has(scope)) throw new HttpError(403, 'forbidden', `the token lacks the scope ${scope}`);
}

export function mayTouch(principal: Principal, host: string): boolean {
  return principal.hosts === '*' || principal.hosts.has(host);
}

/** Another tenant's schedule is answered as if it did not exist. */
export function requireHost(principal: Principal, id: ScheduleId): void {
  const host = id.slice(0, id.indexOf('/'));
  if (!mayTouch(principal, host)) throw new HttpError(404, 'not_found', `schedule ${id} does not exist`, { id });
}
