// What a principal may see and change: cloud-admin everything; a member its projects' objects (read and write),
// global objects, shared networks and the default project's objects (read only).
import type { Principal } from '../auth/tokens.js';
import { ForbiddenError } from '../errors.js';
import type { Store, StoredObject } from '../store/interface.js';

export interface Scope {
  principal: Principal;
  admin: boolean;
  /** uuids of the member's projects. */
  projects: Set<string>;
  defaultProject: string | undefined;
}

export async function scopeOf(store: Store, principal: Principal): Promise<Scope> {
  const projects = new Set<string>();
  for (const p of principal.projects) {
    const u = await store.fqNameToUuid('project', p.split(':'));
    if (u) projects.add(u);
  }
  const defaultProject = await store.fqNameToUuid('project', ['default-domain', 'default-project']);
  return { principal, admin: principal.role === 'cloud-admin', projects, defaultProject };
}

export function canRead(s: Scope, o: StoredObject): boolean {
  if (s.admin) return true;
  if (o.type === 'project') return s.projects.has(o.uuid) || o.uuid === s.defaultProject;
  if (o.owner === undefined) return true;
  if (s.projects.has(o.owner) || o.owner === s.defaultProject) return true;
  return o.type === 'virtual-network' && o.body.is_shared === true;
}

export function canWriteOwner(s: Scope, owner: string | undefined): boolean {
  return s.admin || (owner !== undefined && s.projects.has(owner));
}

export function assertWrite(s: Scope, o: { type: string; uuid: string; owner?: string }): void {
  if (!canWriteOwner(s, o.owner)) {
    throw new ForbiddenError(`${s.principal.name} may not change ${o.type} ${o.uuid}`, {
      principal: s.principal.name,
    });
  }
}
