// Routing instances derived from config, kept current from the store's changes.
//
// Each virtual-network gives the instance `<vn fq_name>:<vn name>` with the network's VNI. Its export targets are
// the route target allocated to its default routing-instance plus `route_target_list` and
// `export_route_target_list`; its import targets the allocated one, `route_target_list`,
// `import_route_target_list`, and the export targets of every network it is connected to by policy.
//
// Connection by policy follows TF's schema transformer: a network wants another when a network-policy attached
// to it (network_policy_refs) has a rule with simple_action 'pass' and no service chain whose one side names it
// (its fq_name, 'local' or 'any') and whose other side names the other network (its fq_name or 'any'); the rule's
// direction does not matter for routes (it shapes the ACL). Two networks are connected when each wants the other,
// so a policy allowing vn1 <> vn2 leaks routes both ways once attached to both networks.
import type { Change, StoredObject } from '../../store/interface.js';
import type { RouteDb } from './route-db.js';

interface VnInfo {
  uuid: string;
  fq: string;
  instance: string;
  vni: number | undefined;
  configured: { both: string[]; imports: string[]; exports: string[] };
  policies: string[];
}

interface PolicyRule {
  /** Sides of the rule: lists of network names, 'local' or 'any'. */
  a: string[];
  b: string[];
}

interface RiInfo {
  vn: string | undefined;
  isDefault: boolean;
  targets: string[];
}

const objectOf = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const arrayOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const listOf = (v: unknown): string[] =>
  arrayOf(objectOf(v).route_target).filter((x): x is string => typeof x === 'string');

/** Types whose changes this class reads. */
export const INSTANCE_CONFIG_TYPES = [
  'virtual-network',
  'routing-instance',
  'route-target',
  'network-policy',
] as const;

const TYPES: ReadonlySet<string> = new Set(INSTANCE_CONFIG_TYPES);

export class ConfigInstances {
  private readonly vns = new Map<string, VnInfo>();
  private readonly vnByFq = new Map<string, string>();
  private readonly ris = new Map<string, RiInfo>();
  /** VN uuid -> its routing-instance uuids. */
  private readonly risByVn = new Map<string, Set<string>>();
  private readonly rtNames = new Map<string, string>();
  private readonly policies = new Map<string, PolicyRule[]>();
  /** Instance names this class upserted, by VN uuid, so that removal and renames are exact. */
  private readonly published = new Map<string, string>();

  constructor(private readonly db: RouteDb) {}

  /** Instance name of a network's default routing instance. */
  static instanceName(vnFqName: readonly string[]): string {
    return [...vnFqName, vnFqName.at(-1)!].join(':');
  }

  /** Applies a batch of objects (the initial snapshot), then derives every instance once. */
  load(objects: Iterable<StoredObject>): void {
    for (const o of objects) this.index(o);
    for (const uuid of this.vns.keys()) this.refresh(uuid);
  }

  apply(ch: Change): void {
    if (!TYPES.has(ch.type)) return;
    // Networks to re-derive: those the change touches before and after it is indexed.
    const affected = new Set<string>();
    this.collect(ch, affected);
    if (ch.kind === 'delete') this.unindex(ch.type, ch.uuid);
    else this.index(ch.object);
    this.collect(ch, affected);
    for (const uuid of affected) this.refresh(uuid);
  }

  private collect(ch: Change, out: Set<string>): void {
    // A network's imports depend on its connected peers' exports, so a change to one network's targets or
    // connections re-derives its peers too (connection needs both sides, so peers are among those it wants).
    const touch = (vnUuid: string) => {
      out.add(vnUuid);
      for (const p of this.wanted(vnUuid)) out.add(p);
    };
    switch (ch.type) {
      case 'virtual-network':
        touch(ch.uuid);
        for (const [u, vn] of this.vns)
          if (vn.policies.length > 0 && u !== ch.uuid && this.wanted(u).has(ch.uuid)) out.add(u);
        return;
      case 'routing-instance': {
        const vn = this.ris.get(ch.uuid)?.vn ?? ch.object.parentUuid;
        if (vn) touch(vn);
        return;
      }
      case 'route-target':
        for (const ri of this.ris.values()) if (ri.vn && ri.targets.includes(ch.uuid)) touch(ri.vn);
        return;
      case 'network-policy':
        for (const [u, vn] of this.vns) if (vn.policies.includes(ch.uuid)) touch(u);
    }
  }

  private index(o: StoredObject): void {
    switch (o.type) {
      case 'virtual-network': {
        const old = this.vns.get(o.uuid);
        if (old) this.vnByFq.delete(old.fq);
        const vni = objectOf(o.body.virtual_network_properties).vxlan_network_identifier;
        const info: VnInfo = {
          uuid: o.uuid,
          fq: o.fqName.join(':'),
          instance: ConfigInstances.instanceName(o.fqName),
          vni: typeof vni === 'number' ? vni : undefined,
          configured: {
            both: listOf(o.body.route_target_list),
            imports: listOf(o.body.import_route_target_list),
            exports: listOf(o.body.export_route_target_list),
          },
          policies: o.refs.filter((r) => r.type === 'network-policy').map((r) => r.uuid),
        };
        this.vns.set(o.uuid, info);
        this.vnByFq.set(info.fq, o.uuid);
        return;
      }
      case 'routing-instance': {
        const vn = o.parentType === 'virtual-network' ? o.parentUuid : undefined;
        this.ris.set(o.uuid, {
          vn,
          isDefault: o.body.routing_instance_is_default === true,
          targets: o.refs.filter((r) => r.type === 'route-target').map((r) => r.uuid),
        });
        if (vn) {
          let s = this.risByVn.get(vn);
          if (!s) {
            s = new Set();
            this.risByVn.set(vn, s);
          }
          s.add(o.uuid);
        }
        return;
      }
      case 'route-target':
        this.rtNames.set(o.uuid, o.fqName.at(-1)!);
        return;
      case 'network-policy': {
        // Shapes are checked by the API, but the store may hold what another version wrote: skip, never throw.
        const rules: PolicyRule[] = [];
        for (const r of arrayOf(objectOf(o.body.network_policy_entries).policy_rule)) {
          const rule = objectOf(r);
          const action = objectOf(rule.action_list);
          if (action.simple_action !== 'pass') continue;
          if (arrayOf(action.apply_service).length > 0) continue;
          const side = (l: unknown) =>
            arrayOf(l)
              .map((x) => objectOf(x).virtual_network)
              .filter((x): x is string => typeof x === 'string');
          rules.push({ a: side(rule.src_addresses), b: side(rule.dst_addresses) });
        }
        this.policies.set(o.uuid, rules);
        return;
      }
    }
  }

  private unindex(type: string, uuid: string): void {
    switch (type) {
      case 'virtual-network': {
        const old = this.vns.get(uuid);
        if (old) this.vnByFq.delete(old.fq);
        this.vns.delete(uuid);
        return;
      }
      case 'routing-instance': {
        const vn = this.ris.get(uuid)?.vn;
        if (vn) this.risByVn.get(vn)?.delete(uuid);
        this.ris.delete(uuid);
        return;
      }
      case 'route-target':
        this.rtNames.delete(uuid);
        return;
      case 'network-policy':
        this.policies.delete(uuid);
    }
  }

  /** Route targets allocated to the network's default routing instance. */
  private allocated(vnUuid: string): string[] {
    const out: string[] = [];
    for (const riUuid of this.risByVn.get(vnUuid) ?? []) {
      const ri = this.ris.get(riUuid);
      if (!ri?.isDefault) continue;
      for (const t of ri.targets) {
        const name = this.rtNames.get(t);
        if (name) out.push(name);
      }
    }
    return out;
  }

  /** Networks (uuids) the network's own policies let it talk to. */
  private wanted(vnUuid: string): Set<string> {
    const vn = this.vns.get(vnUuid);
    const out = new Set<string>();
    if (!vn) return out;
    const isSelf = (n: string) => n === vn.fq || n === 'local' || n === 'any';
    const add = (names: string[]) => {
      for (const n of names) {
        if (n === 'any') {
          for (const u of this.vns.keys()) if (u !== vnUuid) out.add(u);
        } else if (n !== 'local') {
          const u = this.vnByFq.get(n);
          if (u && u !== vnUuid) out.add(u);
        }
      }
    };
    for (const p of vn.policies) {
      for (const rule of this.policies.get(p) ?? []) {
        if (rule.a.some(isSelf)) add(rule.b);
        if (rule.b.some(isSelf)) add(rule.a);
      }
    }
    return out;
  }

  private exportsOf(vnUuid: string): string[] {
    const vn = this.vns.get(vnUuid)!;
    return [...new Set([...this.allocated(vnUuid), ...vn.configured.both, ...vn.configured.exports])];
  }

  private refresh(vnUuid: string): void {
    const vn = this.vns.get(vnUuid);
    const was = this.published.get(vnUuid);
    if (!vn) {
      if (was) {
        this.published.delete(vnUuid);
        this.db.removeInstance(was);
      }
      return;
    }
    if (was && was !== vn.instance) this.db.removeInstance(was);
    const exportTargets = this.exportsOf(vnUuid);
    const imports = new Set([...this.allocated(vnUuid), ...vn.configured.both, ...vn.configured.imports]);
    for (const peer of this.wanted(vnUuid)) {
      if (!this.wanted(peer).has(vnUuid)) continue;
      for (const t of this.exportsOf(peer)) imports.add(t);
    }
    this.db.upsertInstance({
      name: vn.instance,
      vn: vn.fq,
      ...(vn.vni !== undefined ? { vni: vn.vni } : {}),
      importTargets: [...imports],
      exportTargets,
    });
    this.published.set(vnUuid, vn.instance);
  }

  /** Network (fq_name string and VNI) of a VN uuid, for config-published routes. */
  network(vnUuid: string): { fq: string; instance: string; vni: number | undefined } | undefined {
    return this.vns.get(vnUuid);
  }
}
