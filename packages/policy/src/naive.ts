// The reference evaluator: walks the uncompiled firewall rules for every decision, matching tags, groups and
// networks against the packet's two sides as the TF agent does at flow setup (SEMANTICS.md A1b.4). It is the
// oracle the compiled matcher is tested against and the baseline the benchmarks compare with. Firewall gate
// only (application policy sets); the classic gates are exercised through the compiler's own tests.
import { type Prefix, parsePrefix, prefixContains } from './address-set.js';
import {
  compareSequence,
  type EndpointSpec,
  type Inventory,
  type PolicyModel,
  parsePorts,
  parseProtocol,
} from './model.js';
import { effectiveTags, TagRegistry } from './tags.js';

interface Side {
  addr: Prefix;
  iface: { tags: Set<string>; vn: string } | null;
}

export interface NaiveDecision {
  action: 'pass' | 'deny';
  ruleId: string | null;
  reason: 'rule' | 'implicit-allow' | 'implicit-deny';
}

export class NaiveEvaluator {
  private readonly model: PolicyModel;
  private readonly byAddr = new Map<
    string,
    { name: string; tags: Set<string>; vn: string; project: string }
  >();
  private readonly byName = new Map<
    string,
    { name: string; tags: Set<string>; vn: string; project: string }
  >();
  private readonly vnSubnets = new Map<string, Prefix[]>();

  constructor(model: PolicyModel, inventory: Inventory) {
    this.model = model;
    const reg = new TagRegistry(model.tagTypes ?? []);
    const ctx = { objectType: 'naive', objectName: '', field: 'tags' };
    const ids = (t: readonly string[] | undefined) => reg.parseList(t, ctx);
    const vms = new Map((inventory.vms ?? []).map((v) => [v.name, ids(v.tags)]));
    const hosts = new Map((inventory.hosts ?? []).map((h) => [h.name, ids(h.tags)]));
    const projects = new Map((inventory.projects ?? []).map((p) => [p.name, ids(p.tags)]));
    const vns = new Map(inventory.virtualNetworks.map((v) => [v.name, v]));
    for (const v of inventory.virtualNetworks)
      this.vnSubnets.set(
        v.name,
        (v.subnets ?? []).map((s) => parsePrefix(typeof s === 'string' ? s : s.prefix, ctx)),
      );
    for (const i of inventory.interfaces) {
      if (i.up === false) continue;
      const vn = vns.get(i.virtualNetwork);
      if (!vn) continue;
      const eff = effectiveTags(
        [
          ids(i.tags),
          (i.vm && vms.get(i.vm)) || [],
          (i.host && hosts.get(i.host)) || [],
          ids(vn.tags),
          projects.get(vn.project) ?? [],
        ],
        (t) => reg.isMultiValued(t),
      );
      const rec = {
        name: i.name,
        tags: new Set(eff.map((t) => reg.name(t))),
        vn: vn.name,
        project: vn.project,
      };
      this.byName.set(i.name, rec);
      for (const a of i.addresses) this.byAddr.set(parsePrefix(a, ctx).text, rec);
    }
  }

  private side(addr: string): Side {
    const p = parsePrefix(addr, { objectType: 'naive', objectName: addr, field: 'address' });
    return { addr: p, iface: this.byAddr.get(p.text) ?? null };
  }

  private epMatch(ep: EndpointSpec, s: Side): boolean {
    if ('any' in ep) return true;
    if ('tags' in ep)
      return s.iface !== null && ep.tags.every((t) => s.iface?.tags.has(t.replace(/^global:/, '')));
    if ('subnet' in ep)
      return prefixContains(
        parsePrefix(ep.subnet, { objectType: 'naive', objectName: '', field: 'subnet' }),
        s.addr.family,
        s.addr.lo,
      );
    if ('virtualNetwork' in ep)
      return s.iface
        ? s.iface.vn === ep.virtualNetwork
        : (this.vnSubnets.get(ep.virtualNetwork) ?? []).some((p) =>
            prefixContains(p, s.addr.family, s.addr.lo),
          );
    const ag = this.model.addressGroups?.find((g) => g.name === ep.addressGroup);
    if (!ag) return false;
    if (s.iface && (ag.labels ?? []).some((l) => s.iface?.tags.has(l))) return true;
    return (ag.prefixes ?? []).some((p) =>
      prefixContains(
        parsePrefix(p, { objectType: 'naive', objectName: '', field: 'prefix' }),
        s.addr.family,
        s.addr.lo,
      ),
    );
  }

  /** Decides a flow at interface `at` by walking every applicable rule. */
  evaluate(
    at: string,
    src: string,
    dst: string,
    protocol: number,
    srcPort: number,
    dstPort: number,
  ): NaiveDecision {
    const me = this.byName.get(at);
    if (!me) return { action: 'deny', ruleId: null, reason: 'implicit-deny' };
    const aps = (this.model.applicationPolicySets ?? [])
      .slice()
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const app = [...me.tags].find((t) => t.startsWith('application='));
    const ordered = [
      ...aps.filter((a) => a.allApplications && (a.scope ?? 'global') === 'global'),
      ...aps.filter((a) => a.allApplications && a.scope === me.project),
      ...aps.filter(
        (a) => app !== undefined && a.applicationTag === app && (a.scope ?? 'global') === 'global',
      ),
      ...aps.filter(
        (a) => app !== undefined && a.applicationTag === app && (a.scope ?? 'global') !== 'global',
      ),
    ];
    const policies: string[] = [];
    for (const a of ordered)
      for (const p of [...a.policies].sort((x, y) => compareSequence(x.sequence, y.sequence)))
        if (!policies.includes(p.policy)) policies.push(p.policy);
    const s = this.side(src);
    const d = this.side(dst);
    let any = false;
    for (const pn of policies) {
      const pol = this.model.firewallPolicies?.find((p) => p.name === pn);
      for (const ref of [...(pol?.rules ?? [])].sort((x, y) => compareSequence(x.sequence, y.sequence))) {
        const r = this.model.firewallRules?.find((x) => x.name === ref.rule);
        if (!r) continue;
        any = true;
        const services = r.service
          ? [r.service]
          : (this.model.serviceGroups?.find((g) => g.name === r.serviceGroup)?.services ?? []);
        const svcOk = services.some((sv) => {
          const ctx = { objectType: 'naive', objectName: r.name, field: 'service' };
          const p = parseProtocol(sv.protocol, ctx);
          const [sl, sh] = parsePorts(sv.srcPorts, ctx);
          const [dl, dh] = parsePorts(sv.dstPorts, ctx);
          return (
            (p === -1 || p === protocol) && srcPort >= sl && srcPort <= sh && dstPort >= dl && dstPort <= dh
          );
        });
        if (!svcOk) continue;
        const mt = (r.matchTags ?? []).every((type) => {
          const a =
            s.iface &&
            [...s.iface.tags]
              .filter((t) => t.startsWith(`${type}=`))
              .sort()
              .join();
          const b =
            d.iface &&
            [...d.iface.tags]
              .filter((t) => t.startsWith(`${type}=`))
              .sort()
              .join();
          return !!a && a === b;
        });
        if (!mt) continue;
        const fwd = this.epMatch(r.endpoint1, s) && this.epMatch(r.endpoint2, d);
        const rev = this.epMatch(r.endpoint2, s) && this.epMatch(r.endpoint1, d);
        const hit = r.direction === '>' ? fwd : r.direction === '<' ? rev : fwd || rev;
        if (hit) return { action: r.action, ruleId: r.name, reason: 'rule' };
      }
    }
    return any
      ? { action: 'deny', ruleId: null, reason: 'implicit-deny' }
      : { action: 'pass', ruleId: null, reason: 'implicit-allow' };
  }
}
