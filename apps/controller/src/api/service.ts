// The config API's operations over the store, generic over the resource table: create, read, update, delete,
// list, fqname-to-id, id-to-fqname and ref-update, with Tungsten Fabric's JSON shapes, schema validation,
// scoping and the IPAM side effects of each resource type.
import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError, VersionMismatchError } from '../errors.js';
import type { Ipam } from '../ipam/hooks.js';
import {
  BACK_REF_SOURCES,
  backRefField,
  CHILDREN,
  COMMON_PROPS,
  childField,
  RESOURCES,
  type ResourceDef,
  refField,
  refSpec,
} from '../schema/resources.js';
import { arr, type Spec, str, validate } from '../schema/spec.js';
import type { NewObject, Ref, Store, StoredObject, WriteOp } from '../store/interface.js';
import { assertWrite, canRead, canWriteOwner, type Scope } from './scope.js';

export type Json = Record<string, unknown>;

const META = new Set(['fq_name', 'parent_type', 'parent_uuid', 'uuid', 'name', 'href', 'parent_href']);
const FQ_SPEC: Spec = arr(str({ maxLength: 255 }), 64);
const UUID_SPEC: Spec = str({ format: 'uuid' });
const MAX_PAGE = 10_000;
/** Types without a parent that a member may create (owned by the member's project). */
const MEMBER_ROOT_TYPES = new Set(['instance-ip', 'virtual-machine']);

export interface RenderOptions {
  base: string;
  fields?: Set<string>;
  excludeChildren?: boolean;
  excludeBackRefs?: boolean;
  excludeHrefs?: boolean;
}

interface ParsedInput {
  props: Json;
  refs: Map<string, Ref[]>;
  /** The ref targets read while resolving refs, by uuid (the response and IPAM need them again). */
  targets: Map<string, StoredObject>;
  fqName?: string[];
  parentType?: string;
  parentUuid?: string;
  uuid?: string;
  name?: string;
}

const dashless = (u: string): string => u.replaceAll('-', '');

export class ConfigService {
  constructor(
    readonly store: Store,
    readonly ipam: Ipam,
  ) {}

  href(base: string, type: string, uuid: string): string {
    return `${base}/${type}/${uuid}`;
  }

  /** The single `{"<type>": {...}}` member of a request body. */
  private unwrap(def: ResourceDef, payload: unknown): Json {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new ValidationError('body', `must be an object {"${def.type}": {...}}`);
    }
    const keys = Object.keys(payload);
    if (keys.length !== 1 || keys[0] !== def.type) {
      throw new ValidationError('body', `must have exactly one member "${def.type}"`);
    }
    const inner = (payload as Json)[def.type];
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
      throw new ValidationError(def.type, 'must be an object');
    }
    return inner as Json;
  }

  private async parse(
    def: ResourceDef,
    input: Json,
    scope: Scope,
    creating: boolean,
    old?: StoredObject,
  ): Promise<ParsedInput> {
    const out: ParsedInput = { props: {}, refs: new Map(), targets: new Map() };
    for (const [k, v] of Object.entries(input)) {
      const path = `${def.type}.${k}`;
      if (META.has(k)) {
        if (v === null || k === 'href' || k === 'parent_href') continue;
        if (k === 'fq_name') {
          validate(FQ_SPEC, v, path);
          const fq = v as string[];
          if (fq.length === 0 || fq.some((x) => x.length === 0))
            throw new ValidationError(path, 'must be a non-empty list of non-empty names');
          out.fqName = fq;
        } else if (k === 'parent_type') {
          validate(str({ enum: def.parents }), v, path);
          out.parentType = v as string;
        } else if (k === 'parent_uuid' || k === 'uuid') {
          validate(UUID_SPEC, v, path);
          if (k === 'uuid') out.uuid = (v as string).toLowerCase();
          else out.parentUuid = (v as string).toLowerCase();
        } else {
          validate(str({ maxLength: 255 }), v, path);
          if ((v as string).length === 0) throw new ValidationError(path, 'must not be empty');
          out.name = v as string;
        }
        continue;
      }
      const spec = def.props[k] ?? COMMON_PROPS[k];
      if (spec) {
        if (v !== null) validate(spec, v, path);
        const ro = 'readonly' in spec && spec.readonly;
        if (ro) {
          if (creating || JSON.stringify(old?.body[k]) !== JSON.stringify(v))
            throw new ValidationError(path, 'is set by the server');
          continue;
        }
        out.props[k] = v;
        continue;
      }
      const refTarget = Object.keys(def.refs).find((t) => refField(t) === k);
      if (refTarget !== undefined) {
        if (v === null) {
          out.refs.set(refTarget, []);
          continue;
        }
        validate(arr(refSpec(def.refs[refTarget]!, refTarget)), v, path);
        const list: Ref[] = [];
        for (const [i, r] of (v as Json[]).entries())
          list.push(await this.resolveRef(scope, refTarget, r, `${path}[${i}]`, out.targets));
        out.refs.set(refTarget, list);
        continue;
      }
      const isChild = (CHILDREN.get(def.type) ?? []).some((c) => childField(c) === k);
      const isBackRef = (BACK_REF_SOURCES.get(def.type) ?? []).some((s) => backRefField(s) === k);
      if (isChild || isBackRef) throw new ValidationError(path, 'is read-only (maintained by the server)');
      throw new ValidationError(path, `unknown field of ${def.type}`);
    }
    return out;
  }

  private async resolveRef(
    scope: Scope,
    type: string,
    r: Json,
    path: string,
    targets?: Map<string, StoredObject>,
  ): Promise<Ref> {
    let uuid = typeof r.uuid === 'string' ? r.uuid.toLowerCase() : undefined;
    if (uuid === undefined) {
      if (!Array.isArray(r.to)) throw new ValidationError(path, 'needs uuid or to (fq_name)');
      uuid = await this.store.fqNameToUuid(type, r.to as string[]);
      if (!uuid)
        throw new NotFoundError(`${path}: ${type} ${(r.to as string[]).join(':')} not found`, {
          field: path,
        });
    }
    const target = await this.store.get(uuid);
    if (!target || target.type !== type || !canRead(scope, target)) {
      throw new NotFoundError(`${path}: ${type} ${uuid} not found`, { field: path });
    }
    targets?.set(uuid, target);
    const ref: Ref = { type, uuid };
    if (r.attr !== undefined && r.attr !== null) ref.attr = r.attr;
    return ref;
  }

  private defaultParent(def: ResourceDef): { type: string; fq: string[] } | undefined {
    const p = def.parents[0]!;
    if (p === 'config-root') return undefined;
    const fq: Record<string, string[]> = {
      domain: ['default-domain'],
      project: ['default-domain', 'default-project'],
      'global-system-config': ['default-global-system-config'],
      'policy-management': ['default-policy-management'],
    };
    return fq[p] ? { type: p, fq: fq[p] } : undefined;
  }

  private async ownerFor(
    scope: Scope,
    type: string,
    parent: StoredObject | undefined,
    props: Json,
  ): Promise<string | undefined> {
    if (parent?.type === 'project') return parent.uuid;
    if (parent?.owner !== undefined) return parent.owner;
    const asked = (props.perms2 as { owner?: string } | undefined)?.owner;
    if (asked) {
      const norm = asked.replaceAll('-', '').toLowerCase();
      if (!/^[0-9a-f]{32}$/.test(norm)) throw new ValidationError('perms2.owner', 'must be a project uuid');
      const u = `${norm.slice(0, 8)}-${norm.slice(8, 12)}-${norm.slice(12, 16)}-${norm.slice(16, 20)}-${norm.slice(20)}`;
      const p = await this.store.get(u);
      if (p?.type !== 'project') throw new ValidationError('perms2.owner', `no project ${asked}`);
      return u;
    }
    // Members own the config-root objects they create for their workloads; other global objects are admin-only.
    if (!scope.admin && parent === undefined && MEMBER_ROOT_TYPES.has(type)) return [...scope.projects][0];
    return undefined;
  }

  async create(def: ResourceDef, payload: unknown, scope: Scope, base: string): Promise<Json> {
    const input = this.unwrap(def, payload);
    const p = await this.parse(def, input, scope, true);
    for (const r of def.required ?? []) {
      if (p.props[r] === undefined || p.props[r] === null)
        throw new ValidationError(`${def.type}.${r}`, 'is required');
    }
    for (const t of def.requiredRefs ?? []) {
      if (!p.refs.get(t)?.length) throw new ValidationError(`${def.type}.${refField(t)}`, 'is required');
    }
    // name and fq_name
    let name = p.name ?? p.fqName?.at(-1);
    if (def.type === 'tag') {
      const tn = `${p.props.tag_type_name}=${p.props.tag_value}`;
      if (name !== undefined && name !== tn)
        throw new ValidationError(`${def.type}.name`, `must be '${tn}' (type=value)`);
      name = tn;
    }
    const uuid = p.uuid ?? randomUUID();
    name ??= uuid;
    let parent: StoredObject | undefined;
    let parentType: string | undefined = p.parentType;
    if (parentType === undefined && p.fqName && def.parents.length === 1) parentType = def.parents[0];
    if (parentType === undefined && p.fqName) {
      if (p.fqName.length === 1) parentType = 'config-root';
      else {
        // Several parent types possible (e.g. project or policy-management): the one whose object exists.
        const pfq = p.fqName.slice(0, -1);
        for (const t of def.parents) {
          if (t !== 'config-root' && (await this.store.fqNameToUuid(t, pfq))) {
            parentType = t;
            break;
          }
        }
        parentType ??= def.parents.find((x) => x !== 'config-root');
      }
    }
    if (p.parentUuid !== undefined) {
      parent = await this.store.get(p.parentUuid);
      if (!parent || !canRead(scope, parent))
        throw new NotFoundError(`parent ${p.parentUuid} not found`, { field: 'parent_uuid' });
      if (!def.parents.includes(parent.type)) {
        throw new ValidationError(
          `${def.type}.parent_uuid`,
          `${parent.type} cannot be the parent of ${def.type} (allowed: ${def.parents.join(', ')})`,
        );
      }
      if (parentType !== undefined && parentType !== parent.type)
        throw new ValidationError(`${def.type}.parent_type`, `parent ${p.parentUuid} is a ${parent.type}`);
      parentType = parent.type;
    } else if (parentType !== 'config-root') {
      let pfq: string[] | undefined;
      if (p.fqName) pfq = p.fqName.slice(0, -1);
      else {
        const d = this.defaultParent(def);
        if (d && (parentType === undefined || parentType === d.type)) {
          parentType = d.type;
          pfq = d.fq;
        }
      }
      if (parentType === undefined || pfq === undefined) {
        if (def.parents.includes('config-root')) parentType = 'config-root';
        else throw new ValidationError(`${def.type}.fq_name`, 'is required (or parent_uuid and name)');
      } else {
        if (!def.parents.includes(parentType))
          throw new ValidationError(`${def.type}.parent_type`, `must be one of ${def.parents.join(', ')}`);
        const pu = await this.store.fqNameToUuid(parentType, pfq);
        parent = pu ? await this.store.get(pu) : undefined;
        if (!parent || !canRead(scope, parent)) {
          throw new NotFoundError(`parent ${parentType} ${pfq.join(':')} not found`, { field: 'fq_name' });
        }
      }
    }
    if (!def.parents.includes(parentType!)) {
      throw new ValidationError(
        `${def.type}.parent_type`,
        `${def.type} needs a parent of type ${def.parents.join(' or ')}`,
      );
    }
    const fqName = parent ? [...parent.fqName, name] : [name];
    if (p.fqName && JSON.stringify(p.fqName) !== JSON.stringify(fqName)) {
      throw new ValidationError(
        `${def.type}.fq_name`,
        `must be ${JSON.stringify(fqName)} (parent fq_name + name)`,
      );
    }
    const owner = await this.ownerFor(scope, def.type, parent, p.props);
    const now = new Date().toISOString();
    const idPerms = {
      enable: true,
      user_visible: true,
      ...((p.props.id_perms as Json) ?? {}),
      created: now,
      last_modified: now,
    };
    const body: Json = { ...p.props, id_perms: idPerms };
    for (const [k, v] of Object.entries(body)) if (v === null) delete body[k];
    if (body.display_name === undefined) body.display_name = name;
    const draft: NewObject = {
      type: def.type,
      uuid,
      fqName,
      refs: [...p.refs.values()].flat(),
      claims: [],
      body,
    };
    if (parent) {
      draft.parentType = parent.type;
      draft.parentUuid = parent.uuid;
    }
    if (owner !== undefined) draft.owner = owner;
    if (!canWriteOwner(scope, owner)) {
      throw new NotFoundError(`${scope.principal.name} may not create ${def.type} here`, {
        field: 'fq_name',
      });
    }
    const commit = (extra: WriteOp[]) => this.store.commit([{ op: 'create', object: draft }, ...extra]);
    switch (def.type) {
      case 'virtual-network':
        await this.ipam.createNetwork(draft, commit);
        break;
      case 'virtual-machine-interface':
        await this.ipam.createInterface(draft, commit);
        break;
      case 'instance-ip':
        await this.ipam.createInstanceIp(draft, commit, p.targets);
        break;
      case 'floating-ip':
        await this.ipam.createFloatingIp(draft, commit);
        break;
      case 'security-group':
        await this.ipam.createSecurityGroup(draft, commit);
        break;
      case 'tag-type':
        await this.ipam.createTagType(draft, commit);
        break;
      case 'tag':
        await this.ipam.createTag(draft, commit);
        break;
      default:
        await commit([]);
    }
    const stored = { ...draft, version: 1, revision: 0 };
    return {
      [def.type]: await this.render(
        stored,
        { base, excludeChildren: true, excludeBackRefs: true },
        undefined,
        p.targets,
      ),
    };
  }

  private async fetch(def: ResourceDef, uuid: string, scope: Scope): Promise<StoredObject> {
    const o = await this.store.get(uuid.toLowerCase());
    if (!o || o.type !== def.type || !canRead(scope, o))
      throw new NotFoundError(`${def.type} ${uuid} not found`, { uuid });
    return o;
  }

  async read(
    def: ResourceDef,
    uuid: string,
    scope: Scope,
    opts: RenderOptions,
  ): Promise<{ body: Json; version: number }> {
    const o = await this.fetch(def, uuid, scope);
    return { body: { [def.type]: await this.render(o, opts, scope) }, version: o.version };
  }

  /** `known`: objects already read (ref targets), not read again. */
  async render(
    o: StoredObject,
    opts: RenderOptions,
    scope?: Scope,
    known?: ReadonlyMap<string, StoredObject>,
  ): Promise<Json> {
    const want = (f: string) => !opts.fields || opts.fields.has(f);
    const out: Json = {
      uuid: o.uuid,
      fq_name: o.fqName,
      name: o.fqName.at(-1),
    };
    if (!opts.excludeHrefs) out.href = this.href(opts.base, o.type, o.uuid);
    if (o.parentType !== undefined) {
      out.parent_type = o.parentType;
      out.parent_uuid = o.parentUuid;
      if (!opts.excludeHrefs) out.parent_href = this.href(opts.base, o.parentType, o.parentUuid!);
    }
    for (const [k, v] of Object.entries(o.body)) if (want(k)) out[k] = v;
    if (want('perms2')) {
      const p2 = (o.body.perms2 as Json | undefined) ?? {};
      out.perms2 = {
        owner_access: 7,
        global_access: 0,
        share: [],
        ...p2,
        owner: o.owner ? dashless(o.owner) : 'cloud-admin',
      };
    }
    const targets = new Map<string, StoredObject>();
    const unknown = new Set<string>();
    for (const r of o.refs) {
      const t = known?.get(r.uuid);
      if (t) targets.set(r.uuid, t);
      else unknown.add(r.uuid);
    }
    if (unknown.size > 0) for (const t of await this.store.getMany([...unknown])) targets.set(t.uuid, t);
    const def = RESOURCES.get(o.type)!;
    for (const t of Object.keys(def.refs)) {
      const f = refField(t);
      if (!want(f)) continue;
      const list = o.refs.filter((r) => r.type === t);
      if (list.length === 0) continue;
      out[f] = list.map((r) => {
        const j: Json = { to: targets.get(r.uuid)?.fqName ?? [], uuid: r.uuid, attr: r.attr ?? null };
        if (!opts.excludeHrefs) j.href = this.href(opts.base, t, r.uuid);
        return j;
      });
    }
    if (!opts.excludeChildren) {
      const kids = await this.store.children(o.uuid);
      const objs = new Map((await this.store.getMany(kids.map((k) => k.uuid))).map((k) => [k.uuid, k]));
      for (const k of kids) {
        const f = childField(k.type);
        const c = objs.get(k.uuid);
        if (!want(f) || !c || (scope && !canRead(scope, c))) continue;
        const j: Json = { to: c.fqName, uuid: c.uuid };
        if (!opts.excludeHrefs) j.href = this.href(opts.base, c.type, c.uuid);
        if (!out[f]) out[f] = [];
        (out[f] as Json[]).push(j);
      }
    }
    if (!opts.excludeBackRefs) {
      const brs = await this.store.backRefs(o.uuid);
      const objs = new Map((await this.store.getMany(brs.map((b) => b.uuid))).map((b) => [b.uuid, b]));
      for (const b of brs) {
        const f = backRefField(b.type);
        const src = objs.get(b.uuid);
        if (!want(f) || !src || (scope && !canRead(scope, src))) continue;
        const j: Json = { to: src.fqName, uuid: src.uuid, attr: b.attr ?? null };
        if (!opts.excludeHrefs) j.href = this.href(opts.base, b.type, b.uuid);
        if (!out[f]) out[f] = [];
        (out[f] as Json[]).push(j);
      }
    }
    return out;
  }

  /** Builds the updated object from `old` and parsed input, with the type's side effects on claims. */
  private async updated(def: ResourceDef, old: StoredObject, p: ParsedInput): Promise<NewObject> {
    if (p.fqName && JSON.stringify(p.fqName) !== JSON.stringify(old.fqName))
      throw new ValidationError(`${def.type}.fq_name`, 'cannot be changed');
    if (p.uuid && p.uuid !== old.uuid)
      throw new ValidationError(`${def.type}.uuid`, 'does not match the URL');
    if (p.parentType && p.parentType !== old.parentType)
      throw new ValidationError(`${def.type}.parent_type`, 'cannot be changed');
    if (p.parentUuid && p.parentUuid !== old.parentUuid)
      throw new ValidationError(`${def.type}.parent_uuid`, 'cannot be changed');
    if (p.name && p.name !== old.fqName.at(-1))
      throw new ValidationError(`${def.type}.name`, 'cannot be changed');
    const body: Json = { ...old.body };
    for (const [k, v] of Object.entries(p.props)) {
      if (v === null) delete body[k];
      else body[k] = v;
    }
    body.id_perms = { ...((old.body.id_perms as Json) ?? {}), ...((p.props.id_perms as Json) ?? {}) };
    (body.id_perms as Json).created = (old.body.id_perms as Json | undefined)?.created;
    (body.id_perms as Json).last_modified = new Date().toISOString();
    let refs = old.refs;
    for (const [t, list] of p.refs) refs = [...refs.filter((r) => r.type !== t), ...list];
    const draft: NewObject = {
      type: old.type,
      uuid: old.uuid,
      fqName: old.fqName,
      refs,
      claims: old.claims,
      body,
    };
    if (old.parentType !== undefined) draft.parentType = old.parentType;
    if (old.parentUuid !== undefined) draft.parentUuid = old.parentUuid;
    if (old.owner !== undefined) draft.owner = old.owner;
    const changed = (k: string) => k in p.props && JSON.stringify(old.body[k]) !== JSON.stringify(body[k]);
    switch (def.type) {
      case 'virtual-network': {
        if (p.refs.has('network-ipam')) await this.ipam.networkSubnets(draft, old);
        const oldVni = (old.body.virtual_network_properties as Json | undefined)?.vxlan_network_identifier;
        const props = { ...((body.virtual_network_properties as Json | undefined) ?? {}) };
        props.network_id = old.body.virtual_network_network_id;
        if (props.vxlan_network_identifier === undefined) props.vxlan_network_identifier = oldVni;
        body.virtual_network_properties = props;
        if (props.vxlan_network_identifier !== oldVni) {
          draft.claims = [
            ...old.claims.filter((c) => c.pool !== 'vni'),
            { pool: 'vni', key: String(props.vxlan_network_identifier) },
          ];
        }
        break;
      }
      case 'virtual-machine-interface':
        if (changed('virtual_machine_interface_mac_addresses')) {
          const macs =
            (body.virtual_machine_interface_mac_addresses as { mac_address?: string[] } | undefined)
              ?.mac_address ?? [];
          if (macs.length === 0)
            throw new ValidationError(
              `${def.type}.virtual_machine_interface_mac_addresses`,
              'cannot be emptied',
            );
          draft.claims = macs.map((m) => ({ pool: 'mac', key: m.toLowerCase() }));
        }
        break;
      case 'instance-ip':
        for (const k of ['instance_ip_address', 'instance_ip_family', 'subnet_uuid']) {
          if (changed(k))
            throw new ValidationError(`${def.type}.${k}`, 'cannot be changed; create another instance-ip');
        }
        if (p.refs.has('virtual-network')) {
          const vn = p.refs.get('virtual-network')!;
          const was = old.refs.filter((r) => r.type === 'virtual-network').map((r) => r.uuid);
          if (vn.length !== 1 || vn[0]!.uuid !== was[0])
            throw new ValidationError(`${def.type}.virtual_network_refs`, 'cannot be changed');
        }
        break;
      case 'floating-ip':
        for (const k of ['floating_ip_address', 'floating_ip_address_family']) {
          if (changed(k)) throw new ValidationError(`${def.type}.${k}`, 'cannot be changed');
        }
        break;
      case 'tag':
        for (const k of ['tag_type_name', 'tag_value'])
          if (changed(k)) throw new ValidationError(`${def.type}.${k}`, 'cannot be changed');
        break;
    }
    return draft;
  }

  async update(
    def: ResourceDef,
    uuid: string,
    payload: unknown,
    scope: Scope,
    expectVersion: number | undefined,
    base: string,
  ): Promise<Json> {
    const old = await this.fetch(def, uuid, scope);
    assertWrite(scope, old);
    const p = await this.parse(def, this.unwrap(def, payload), scope, false, old);
    const draft = await this.updated(def, old, p);
    await this.store.commit([
      { op: 'update', object: draft, ...(expectVersion !== undefined ? { expectVersion } : {}) },
    ]);
    return { [def.type]: { uuid: old.uuid, href: this.href(base, def.type, old.uuid) } };
  }

  async remove(
    def: ResourceDef,
    uuid: string,
    scope: Scope,
    expectVersion: number | undefined,
  ): Promise<void> {
    const old = await this.fetch(def, uuid, scope);
    assertWrite(scope, old);
    const ops: WriteOp[] = def.type === 'virtual-network' ? await this.ipam.deleteNetworkOps(old) : [];
    ops.push({ op: 'delete', uuid: old.uuid, ...(expectVersion !== undefined ? { expectVersion } : {}) });
    await this.store.commit(ops);
  }

  async list(def: ResourceDef, q: URLSearchParams, scope: Scope, base: string): Promise<Json> {
    const known = new Set([
      'parent_id',
      'parent_fq_name_str',
      'parent_type',
      'obj_uuids',
      'back_ref_id',
      'detail',
      'count',
      'fields',
      'filters',
      'page_limit',
      'page_marker',
      'exclude_hrefs',
      'exclude_children',
      'exclude_back_refs',
    ]);
    for (const k of q.keys())
      if (!known.has(k))
        throw new ValidationError(`query.${k}`, `unknown query parameter (known: ${[...known].join(', ')})`);
    const flag = (k: string) => {
      const v = q.get(k);
      if (v === null) return false;
      if (/^(true|1|yes)$/i.test(v)) return true;
      if (/^(false|0|no)$/i.test(v)) return false;
      throw new ValidationError(`query.${k}`, 'must be true or false');
    };
    const csv = (k: string) =>
      (q.get(k) ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    const uuidList = (k: string) => {
      const l = csv(k).map((u) => u.toLowerCase());
      for (const [i, u] of l.entries()) validate(UUID_SPEC, u, `query.${k}[${i}]`);
      return l;
    };
    let parents: (string | undefined)[] = [undefined];
    if (q.has('parent_id')) parents = uuidList('parent_id');
    if (q.has('parent_fq_name_str')) {
      const pt = q.get('parent_type') ?? def.parents.find((x) => x !== 'config-root');
      if (!pt || !def.parents.includes(pt))
        throw new ValidationError('query.parent_type', `must be one of ${def.parents.join(', ')}`);
      const pu = await this.store.fqNameToUuid(pt, q.get('parent_fq_name_str')!.split(':'));
      if (!pu)
        throw new NotFoundError(`parent ${pt} ${q.get('parent_fq_name_str')} not found`, {
          field: 'query.parent_fq_name_str',
        });
      parents = [pu];
    }
    const uuids = q.has('obj_uuids') ? uuidList('obj_uuids') : undefined;
    const backRefs = q.has('back_ref_id') ? uuidList('back_ref_id') : [undefined];
    const filters: [string, string][] = [];
    for (const f of csv('filters')) {
      const m = /^([a-z0-9_]+)==(.*)$/.exec(f);
      if (!m) throw new ValidationError('query.filters', `'${f}' is not field==value`);
      if (!(m[1]! in def.props) && !(m[1]! in COMMON_PROPS))
        throw new ValidationError('query.filters', `${m[1]} is not a property of ${def.type}`);
      let want: unknown = m[2];
      try {
        want = JSON.parse(m[2]!);
      } catch {}
      filters.push([m[1]!, JSON.stringify(want)]);
    }
    const fields = q.has('fields') ? new Set(csv('fields')) : undefined;
    const match = (o: StoredObject) =>
      canRead(scope, o) && filters.every(([k, v]) => JSON.stringify(o.body[k]) === v);

    if (flag('count')) {
      let n = 0;
      for (const parentUuid of parents) {
        for (const refTo of backRefs) {
          const query = {
            type: def.type,
            ...(parentUuid ? { parentUuid } : {}),
            ...(refTo ? { refTo } : {}),
            ...(uuids ? { uuids } : {}),
          };
          if (scope.admin && filters.length === 0) n += await this.store.count(query);
          else n += (await this.store.list(query)).objects.filter(match).length;
        }
      }
      return { [def.plural]: { count: n } };
    }
    let limit: number | undefined;
    if (q.has('page_limit')) {
      const l = Number(q.get('page_limit'));
      if (!Number.isInteger(l) || l < 1 || l > MAX_PAGE)
        throw new ValidationError('query.page_limit', `must be an integer from 1 to ${MAX_PAGE}`);
      limit = l;
    }
    let marker: string | undefined;
    if (q.has('page_marker')) {
      marker = q.get('page_marker')!.toLowerCase();
      validate(UUID_SPEC, marker, 'query.page_marker');
    }
    // Gather matching objects from every (parent, back-ref) source in uuid order, up to limit.
    const found = new Map<string, StoredObject>();
    let more = false;
    for (const parentUuid of parents) {
      for (const refTo of backRefs) {
        let after = marker;
        for (let round = 0; round < 1_000_000; round++) {
          const r = await this.store.list({
            type: def.type,
            ...(parentUuid ? { parentUuid } : {}),
            ...(refTo ? { refTo } : {}),
            ...(uuids ? { uuids } : {}),
            ...(after ? { after } : {}),
            ...(limit ? { limit } : {}),
          });
          for (const o of r.objects) if (match(o)) found.set(o.uuid, o);
          if (!r.next || (limit !== undefined && found.size >= limit)) {
            if (r.next) more = true;
            break;
          }
          after = r.next;
        }
      }
    }
    let objs = [...found.values()].sort((a, b) => (a.uuid < b.uuid ? -1 : 1));
    if (limit !== undefined && objs.length > limit) {
      objs = objs.slice(0, limit);
      more = true;
    }
    const excludeHrefs = flag('exclude_hrefs');
    let items: Json[];
    if (flag('detail')) {
      const ro: RenderOptions = {
        base,
        excludeHrefs,
        excludeChildren: flag('exclude_children'),
        excludeBackRefs: flag('exclude_back_refs'),
        ...(fields ? { fields } : {}),
      };
      items = [];
      for (const o of objs) items.push({ [def.type]: await this.render(o, ro, scope) });
    } else {
      items = objs.map((o) => {
        const j: Json = { uuid: o.uuid, fq_name: o.fqName };
        if (!excludeHrefs) j.href = this.href(base, def.type, o.uuid);
        if (fields) for (const f of fields) if (f in o.body) j[f] = o.body[f];
        return j;
      });
    }
    const res: Json = { [def.plural]: items };
    if (more && objs.length > 0) res.marker = objs[objs.length - 1]!.uuid;
    return res;
  }

  async fqNameToId(payload: unknown, scope: Scope): Promise<Json> {
    const b = this.object(payload);
    const type = b.type;
    if (typeof type !== 'string' || !RESOURCES.has(type))
      throw new ValidationError('type', 'must be a resource type name');
    validate(FQ_SPEC, b.fq_name, 'fq_name');
    const u = await this.store.fqNameToUuid(type, b.fq_name as string[]);
    const o = u ? await this.store.get(u) : undefined;
    if (!o || !canRead(scope, o))
      throw new NotFoundError(`${type} ${(b.fq_name as string[]).join(':')} not found`);
    return { uuid: o.uuid };
  }

  async idToFqName(payload: unknown, scope: Scope): Promise<Json> {
    const b = this.object(payload);
    validate(UUID_SPEC, b.uuid, 'uuid');
    const o = await this.store.get((b.uuid as string).toLowerCase());
    if (!o || !canRead(scope, o)) throw new NotFoundError(`${b.uuid} not found`);
    return { type: o.type, fq_name: o.fqName };
  }

  async refUpdate(payload: unknown, scope: Scope): Promise<Json> {
    const b = this.object(payload);
    if (b.operation !== 'ADD' && b.operation !== 'DELETE')
      throw new ValidationError('operation', "must be 'ADD' or 'DELETE'");
    const def = typeof b.type === 'string' ? RESOURCES.get(b.type) : undefined;
    if (!def) throw new ValidationError('type', 'must be a resource type name');
    validate(UUID_SPEC, b.uuid, 'uuid');
    const refType = b['ref-type'];
    if (typeof refType !== 'string' || !(refType in def.refs)) {
      throw new ValidationError(
        'ref-type',
        `${def.type} has no reference to ${String(refType)} (has: ${Object.keys(def.refs).join(', ') || 'none'})`,
      );
    }
    const refIn: Json = {};
    if (b['ref-uuid'] !== undefined && b['ref-uuid'] !== null) {
      validate(UUID_SPEC, b['ref-uuid'], 'ref-uuid');
      refIn.uuid = b['ref-uuid'];
    } else if (b['ref-fq-name'] !== undefined) {
      validate(FQ_SPEC, b['ref-fq-name'], 'ref-fq-name');
      refIn.to = b['ref-fq-name'];
    } else throw new ValidationError('ref-uuid', 'ref-uuid or ref-fq-name is required');
    const attrSpec = def.refs[refType]!.attr;
    if (b.attr !== undefined && b.attr !== null) {
      if (attrSpec) validate(attrSpec, b.attr, 'attr');
      refIn.attr = b.attr;
    }
    for (let attempt = 0; attempt < 20; attempt++) {
      const old = await this.fetch(def, b.uuid as string, scope);
      assertWrite(scope, old);
      const ref = await this.resolveRef(scope, refType, refIn, 'ref-uuid');
      const current = old.refs.filter((r) => r.type === refType && r.uuid !== ref.uuid);
      const list = b.operation === 'ADD' ? [...current, ref] : current;
      const p: ParsedInput = { props: {}, refs: new Map([[refType, list]]), targets: new Map() };
      const draft = await this.updated(def, old, p);
      try {
        await this.store.commit([{ op: 'update', object: draft, expectVersion: old.version }]);
        return { uuid: old.uuid };
      } catch (e) {
        if (!(e instanceof VersionMismatchError)) throw e;
      }
    }
    throw new ConflictError('exists', `ref-update on ${b.uuid} kept racing with other writers`);
  }

  private object(payload: unknown): Json {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      throw new ValidationError('body', 'must be a JSON object');
    return payload as Json;
  }
}
