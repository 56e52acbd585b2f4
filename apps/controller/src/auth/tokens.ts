// Token authentication and role-based scoping. A token (sent as X-Auth-Token, as Tungsten Fabric clients do, or
// as Authorization: Bearer) maps to a principal: 'cloud-admin' sees and changes everything; 'member' sees global
// objects, shared networks and the objects of its projects, and changes only the objects of its projects.
// Tokens are kept only as SHA-256 digests and compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../errors.js';

export type Role = 'cloud-admin' | 'member';

export interface TokenEntry {
  /** The token itself, or... */
  token?: string;
  /** ...its SHA-256 as hex (preferred in config files). */
  sha256?: string;
  name: string;
  role: Role;
  /** Projects of a member, as fq_name strings ('default-domain:demo'). */
  projects?: string[];
}

export interface Principal {
  name: string;
  role: Role;
  /** fq_name strings of the member's projects. */
  projects: string[];
}

export const ANONYMOUS_ADMIN: Principal = {
  name: 'anonymous (auth disabled)',
  role: 'cloud-admin',
  projects: [],
};

const digest = (t: string): Buffer => createHash('sha256').update(t, 'utf8').digest();

export class TokenAuth {
  private readonly entries: { hash: Buffer; principal: Principal }[] = [];

  constructor(entries: TokenEntry[]) {
    entries.forEach((e, i) => {
      if (e.role !== 'cloud-admin' && e.role !== 'member')
        throw new ValidationError(`auth.tokens[${i}].role`, "must be 'cloud-admin' or 'member'");
      let hash: Buffer;
      if (e.sha256 !== undefined) {
        if (!/^[0-9a-f]{64}$/i.test(e.sha256))
          throw new ValidationError(`auth.tokens[${i}].sha256`, 'must be 64 hex digits');
        hash = Buffer.from(e.sha256, 'hex');
      } else if (e.token !== undefined && e.token.length >= 16) {
        hash = digest(e.token);
      } else {
        throw new ValidationError(`auth.tokens[${i}]`, 'needs sha256 or a token of at least 16 characters');
      }
      if (e.role === 'member' && (!e.projects || e.projects.length === 0)) {
        throw new ValidationError(`auth.tokens[${i}].projects`, 'a member needs at least one project');
      }
      this.entries.push({ hash, principal: { name: e.name, role: e.role, projects: e.projects ?? [] } });
    });
  }

  /** The principal for request headers; 401 when the token is missing or unknown. */
  authenticate(headers: Record<string, string | string[] | undefined>): Principal {
    let token = headers['x-auth-token'];
    const authz = headers.authorization;
    if (token === undefined && typeof authz === 'string') {
      const m = /^Bearer\s+(\S+)$/i.exec(authz);
      if (!m) throw new UnauthorizedError('Authorization header must be "Bearer <token>"');
      token = m[1];
    }
    if (typeof token !== 'string' || token.length === 0) {
      throw new UnauthorizedError('authentication required: send X-Auth-Token or Authorization: Bearer');
    }
    const h = digest(token);
    let found: Principal | undefined;
    for (const e of this.entries) if (timingSafeEqual(e.hash, h)) found = e.principal;
    if (!found) throw new UnauthorizedError('invalid token');
    return found;
  }
}

/** Reads the admin token from `file`, creating it (mode 0600, 32 random bytes) when missing. */
export function ensureTokenFile(file: string): string {
  if (existsSync(file)) {
    const t = readFileSync(file, 'utf8').trim();
    if (t.length < 16)
      throw new ValidationError('admin_token_file', `${file} holds a token shorter than 16 characters`);
    return t;
  }
  const t = randomBytes(32).toString('base64url');
  writeFileSync(file, `${t}\n`, { mode: 0o600, flag: 'wx' });
  return t;
}

export function requireAdmin(p: Principal, what: string): void {
  if (p.role !== 'cloud-admin')
    throw new ForbiddenError(`${what} needs the cloud-admin role`, { principal: p.name });
}
