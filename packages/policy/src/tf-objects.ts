// Loads Tungsten Fabric config objects, as `GET /<type>/<uuid>` returns them (`{"<type>": {fq_name, uuid,
// ...underscore fields, "<other>_refs": [{to, uuid, attr}]}}`), into the model and inventory. Objects are
// named by fq_name joined with ':'; refs may name their target by fq_name (`to`) or by uuid. Types we do not
// model (domain, network-ipam, global-system-config, ...) are skipped.
import { InputFormatError, InvalidFieldError, MissingReferenceError, ReferenceCycleError } from './errors.js';
import type {
  AddressGroupSpec,
  ApplicationPolicySetSpec,
  EndpointSpec,
  FirewallPolicySpec,
  FirewallRuleSpec,
  HostSpec,
  InterfaceSpec,
  Inventory,
  NetworkAddressSpec,
  NetworkPolicyRuleSpec,
  NetworkPolicySpec,
  PolicyModel,
  PortSpec,
  ProjectSpec,
  SecurityGroupRuleSpec,
  SecurityGroupSpec,
  ServiceGroupSpec,
  ServiceSpec,
  SubnetSpec,
  VirtualNetworkSpec,
  VmSpec,
} from './model.js';
import { PREDEFINED_TAG_TYPES } from './tags.js';

type Obj = Record<string, unknown>;
interface Ref {
  to?: string[];
  uuid?: string;
  attr?: Obj;
}
interface Entry {
  type: string;
  body: Obj;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The TF object list of a `policy check` file, converted. */
export interface TfLoadResult {
  model: PolicyModel;
  inventory: Inventory;
}

class Loader {
  private readonly entries: Entry[] = [];
  private readonly byUuid = new Map<string, Entry>();
  private readonly names = new Map<Entry, string>();

  constructor(objects: unknown) {
    if (!Array.isArray(objects))
      throw new InputFormatError('file', 'objects', 'objects', 'must be an array of {"<type>": {...}}');
    objects.forEach((o, i) => {
      if (!isObj(o) || Object.keys(o).length !== 1)
        throw new InputFormatError('file', `objects[${i}]`, 'objects', 'each object is {"<type>": {...}}');
      const [type, body] = Object.entries(o)[0] as [string, unknown];
      if (!isObj(body))
        throw new InputFormatError(type, `objects[${i}]`, type, 'object body must be a JSON object');
      const e = { type, body };
      this.entries.push(e);
      if (typeof body.uuid === 'string') this.byUuid.set(body.uuid, e);
    });
  }

  /** fq_name joined with ':'; objects without fq_name are named through their parent_uuid chain. */
  name(e: Entry, path: string[] = []): string {
    const known = this.names.get(e);
    if (known !== undefined) return known;
    const fq = e.body.fq_name;
    let name: string;
    if (Array.isArray(fq) && fq.every((x) => typeof x === 'string')) name = fq.join(':');
    else {
      const own = typeof e.body.name === 'string' ? e.body.name : undefined;
      const id = typeof e.body.uuid === 'string' ? e.body.uuid : '?';
      if (own === undefined)
        throw new InputFormatError(e.type, id, 'fq_name', 'needs fq_name, or name and parent_uuid');
      const pu = e.body.parent_uuid;
      if (typeof pu !== 'string') name = own;
      else {
        if (path.includes(id)) throw new ReferenceCycleError(e.type, own, 'parent_uuid', [...path, id]);
        const parent = this.byUuid.get(pu);
        if (!parent) throw new MissingReferenceError(e.type, own, 'parent_uuid', 'object', pu);
        name = `${this.name(parent, [...path, id])}:${own}`;
      }
    }
    this.names.set(e, name);
    return name;
  }

  of(type: string): Entry[] {
    return this.entries.filter((e) => e.type === type);
  }

  refs(e: Entry, field: string, targetType: string): { name: string; attr: Obj }[] {
    const raw = e.body[field];
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) throw new InputFormatError(e.type, this.name(e), field, 'refs must be an array');
    return (raw as Ref[]).map((r, i) => {
      let name: string | undefined;
      if (Array.isArray(r.to)) name = r.to.join(':');
      else if (typeof r.uuid === 'string') {
        const t = this.byUuid.get(r.uuid);
        if (!t)
          throw new MissingReferenceError(e.type, this.name(e), `${field}[${i}].uuid`, targetType, r.uuid);
        name = this.name(t);
      }
      if (name === undefined)
        throw new InputFormatError(e.type, this.name(e), `${field}[${i}]`, 'a ref needs "to" or "uuid"');
      return { name, attr: isObj(r.attr) ? r.attr : {} };
    });
  }
}

/** `type=value` of a tag fq_name (the last element; a project-scoped tag's fq_name ends the same way). */
function tagName(fq: string): string {
  const last = fq.split(':').pop() as string;
  return last;
}

function prefixOf(s: unknown, type: string, name: string, field: string): string {
  if (!isObj(s) || typeof s.ip_prefix !== 'string')
    throw new InputFormatError(type, name, field, 'subnet needs ip_prefix and ip_prefix_len');
  return `${s.ip_prefix}/${String(s.ip_prefix_len ?? (s.ip_prefix.includes(':') ? 128 : 32))}`;
}

function ports(p: unknown): PortSpec | undefined {
  if (!isObj(p)) return undefined;
  return [Number(p.start_port ?? 0), Number(p.end_port ?? 65535)];
}

function serviceOf(s: Obj): ServiceSpec {
  const out: ServiceSpec = { protocol: (s.protocol as string | number | undefined) ?? 'any' };
  const sp = ports(s.src_ports);
  const dp = ports(s.dst_ports);
  if (sp !== undefined) out.srcPorts = sp;
  if (dp !== undefined) out.dstPorts = dp;
  return out;
}

/** Converts TF REST objects to a model and an inventory. */
export function loadTfObjects(objects: unknown): TfLoadResult {
  const L = new Loader(objects);
  const n = (e: Entry) => L.name(e);
  const tagsOf = (e: Entry) => L.refs(e, 'tag_refs', 'tag').map((r) => tagName(r.name));

  const tagTypes = new Set<string>();
  for (const e of L.of('tag-type')) tagTypes.add(n(e).split(':').pop() as string);
  for (const e of L.of('tag')) {
    const t = typeof e.body.tag_type_name === 'string' ? e.body.tag_type_name : tagName(n(e)).split('=')[0];
    if (t && !(t in PREDEFINED_TAG_TYPES)) tagTypes.add(t);
  }

  const projects: ProjectSpec[] = L.of('project').map((e) => ({ name: n(e), tags: tagsOf(e) }));
  const projectNames = new Set(projects.map((p) => p.name));

  const virtualNetworks: VirtualNetworkSpec[] = L.of('virtual-network').map((e) => {
    const name = n(e);
    const project = name.split(':').slice(0, -1).join(':');
    if (!projectNames.has(project)) {
      projects.push({ name: project });
      projectNames.add(project);
    }
    const subnets: SubnetSpec[] = [];
    for (const r of L.refs(e, 'network_ipam_refs', 'network-ipam')) {
      const list = (r.attr.ipam_subnets ?? []) as Obj[];
      list.forEach((s, i) => {
        const sub: SubnetSpec = {
          prefix: prefixOf(
            s.subnet,
            'virtual-network',
            name,
            `network_ipam_refs.attr.ipam_subnets[${i}].subnet`,
          ),
        };
        if (typeof s.default_gateway === 'string') sub.gateway = s.default_gateway;
        subnets.push(sub);
      });
    }
    const networkPolicies = L.refs(e, 'network_policy_refs', 'network-policy').map((r) => {
      const seq = isObj(r.attr.sequence) ? r.attr.sequence : {};
      return { policy: r.name, major: Number(seq.major ?? 0), minor: Number(seq.minor ?? 0) };
    });
    const vn: VirtualNetworkSpec = { name, project, subnets, networkPolicies, tags: tagsOf(e) };
    if (e.body.port_security_enabled === false) vn.portSecurity = false;
    return vn;
  });

  const vms: VmSpec[] = L.of('virtual-machine').map((e) => ({ name: n(e), tags: tagsOf(e) }));
  const hosts: HostSpec[] = [];
  const hostOfVm = new Map<string, string>();
  for (const e of L.of('virtual-router')) {
    hosts.push({ name: n(e), tags: tagsOf(e) });
    for (const r of L.refs(e, 'virtual_machine_refs', 'virtual-machine')) hostOfVm.set(r.name, n(e));
  }

  const addrs = new Map<string, string[]>();
  for (const e of L.of('instance-ip')) {
    const a = e.body.instance_ip_address;
    if (typeof a !== 'string')
      throw new InputFormatError('instance-ip', n(e), 'instance_ip_address', 'missing');
    for (const r of L.refs(e, 'virtual_machine_interface_refs', 'virtual-machine-interface'))
      addrs.set(r.name, [...(addrs.get(r.name) ?? []), a]);
  }

  const interfaces: InterfaceSpec[] = L.of('virtual-machine-interface').map((e) => {
    const name = n(e);
    const vn = L.refs(e, 'virtual_network_refs', 'virtual-network')[0];
    if (!vn)
      throw new MissingReferenceError(
        'virtual-machine-interface',
        name,
        'virtual_network_refs',
        'virtual-network',
        '(none)',
      );
    const vm = L.refs(e, 'virtual_machine_refs', 'virtual-machine')[0]?.name;
    const spec: InterfaceSpec = {
      name,
      virtualNetwork: vn.name,
      addresses: addrs.get(name) ?? [],
      securityGroups: L.refs(e, 'security_group_refs', 'security-group').map((r) => r.name),
      tags: tagsOf(e),
    };
    if (vm !== undefined) {
      spec.vm = vm;
      const h = hostOfVm.get(vm);
      if (h !== undefined) spec.host = h;
    }
    if (e.body.port_security_enabled === false) spec.portSecurity = false;
    const idPerms = e.body.id_perms;
    if (isObj(idPerms) && idPerms.enable === false) spec.up = false;
    return spec;
  });

  const serviceGroups: ServiceGroupSpec[] = L.of('service-group').map((e) => {
    const list = e.body.service_group_firewall_service_list;
    const services =
      isObj(list) && Array.isArray(list.firewall_service)
        ? (list.firewall_service as Obj[]).map(serviceOf)
        : [];
    return { name: n(e), services };
  });

  const addressGroups: AddressGroupSpec[] = L.of('address-group').map((e) => {
    const p = e.body.address_group_prefix;
    const subnets = isObj(p) && Array.isArray(p.subnet) ? (p.subnet as unknown[]) : [];
    return {
      name: n(e),
      prefixes: subnets.map((s, i) =>
        prefixOf(s, 'address-group', n(e), `address_group_prefix.subnet[${i}]`),
      ),
      labels: tagsOf(e),
    };
  });

  const endpoint = (v: unknown, rule: string, field: string): EndpointSpec => {
    if (!isObj(v)) throw new InputFormatError('firewall-rule', rule, field, 'endpoint missing');
    const kinds: EndpointSpec[] = [];
    if (Array.isArray(v.tags) && v.tags.length > 0) kinds.push({ tags: v.tags as string[] });
    if (typeof v.address_group === 'string') kinds.push({ addressGroup: v.address_group });
    if (typeof v.virtual_network === 'string') kinds.push({ virtualNetwork: v.virtual_network });
    if (v.subnet != null)
      kinds.push({ subnet: prefixOf(v.subnet, 'firewall-rule', rule, `${field}.subnet`) });
    if (v.any === true) kinds.push({ any: true });
    if (kinds.length !== 1)
      throw new InvalidFieldError(
        'firewall-rule',
        rule,
        field,
        JSON.stringify(v),
        'needs exactly one of tags, address_group, virtual_network, subnet, any',
      );
    return kinds[0] as EndpointSpec;
  };

  const firewallRules: FirewallRuleSpec[] = L.of('firewall-rule').map((e) => {
    const name = n(e);
    const al = isObj(e.body.action_list) ? e.body.action_list : {};
    const r: FirewallRuleSpec = {
      name,
      action: al.simple_action as 'pass' | 'deny',
      endpoint1: endpoint(e.body.endpoint_1, name, 'endpoint_1'),
      endpoint2: endpoint(e.body.endpoint_2, name, 'endpoint_2'),
      direction: e.body.direction as '>' | '<' | '<>',
    };
    if (al.log === true) r.log = true;
    if (isObj(e.body.service)) r.service = serviceOf(e.body.service);
    const sg = L.refs(e, 'service_group_refs', 'service-group')[0];
    if (sg) r.serviceGroup = sg.name;
    const mt = e.body.match_tags;
    if (isObj(mt) && Array.isArray(mt.tag_list) && mt.tag_list.length > 0)
      r.matchTags = mt.tag_list as string[];
    return r;
  });

  const firewallPolicies: FirewallPolicySpec[] = L.of('firewall-policy').map((e) => ({
    name: n(e),
    rules: L.refs(e, 'firewall_rule_refs', 'firewall-rule').map((r) => ({
      sequence: String(r.attr.sequence ?? ''),
      rule: r.name,
    })),
  }));

  const applicationPolicySets: ApplicationPolicySetSpec[] = L.of('application-policy-set').map((e) => {
    const name = n(e);
    const parts = name.split(':');
    // Parent policy-management (2 elements) is global scope; a project parent (3) is that project.
    const scope = parts.length >= 3 ? parts.slice(0, -1).join(':') : 'global';
    const aps: ApplicationPolicySetSpec = {
      name,
      scope,
      policies: L.refs(e, 'firewall_policy_refs', 'firewall-policy').map((r) => ({
        sequence: String(r.attr.sequence ?? ''),
        policy: r.name,
      })),
    };
    const app = tagsOf(e).find((t) => t.startsWith('application='));
    if (app !== undefined) aps.applicationTag = app;
    if (e.body.all_applications === true) aps.allApplications = true;
    return aps;
  });

  const rulesOf = (e: Entry, field: string): Obj[] => {
    const v = e.body[field];
    return isObj(v) && Array.isArray(v.policy_rule) ? (v.policy_rule as Obj[]) : [];
  };

  const securityGroups: SecurityGroupSpec[] = L.of('security-group').map((e) => {
    const name = n(e);
    const rules: SecurityGroupRuleSpec[] = rulesOf(e, 'security_group_entries').map((r, i) => {
      const src = ((r.src_addresses ?? []) as Obj[])[0] ?? {};
      const dst = ((r.dst_addresses ?? []) as Obj[])[0] ?? {};
      // TF writes an ingress rule as remote -> local and an egress rule as local -> remote.
      const ingress = dst.security_group === 'local';
      const remote = ingress ? src : dst;
      const rule: SecurityGroupRuleSpec = {
        name: typeof r.rule_uuid === 'string' ? r.rule_uuid : String(i),
        direction: ingress ? 'ingress' : 'egress',
      };
      if (r.ethertype === 'IPv6') rule.ethertype = 'IPv6';
      if (r.protocol !== undefined && r.protocol !== 'any') rule.protocol = r.protocol as string | number;
      const dp = ((r.dst_ports ?? []) as Obj[])[0];
      const p = ports(dp);
      if (p !== undefined) rule.ports = p;
      if (remote.subnet != null)
        rule.remote = {
          cidr: prefixOf(
            remote.subnet,
            'security-group',
            name,
            `security_group_entries.policy_rule[${i}].subnet`,
          ),
        };
      else if (typeof remote.security_group === 'string' && remote.security_group !== 'local')
        rule.remote = { securityGroup: remote.security_group };
      else rule.remote = { any: true };
      return rule;
    });
    return { name, rules };
  });

  const networkPolicies: NetworkPolicySpec[] = L.of('network-policy').map((e) => {
    const name = n(e);
    const rules: NetworkPolicyRuleSpec[] = rulesOf(e, 'network_policy_entries').map((r, i) => {
      const addr = (a: Obj, field: string): NetworkAddressSpec => {
        if (a.subnet != null) return { subnet: prefixOf(a.subnet, 'network-policy', name, field) };
        if (a.virtual_network === 'any' || a.virtual_network === undefined) return { any: true };
        return { virtualNetwork: String(a.virtual_network) };
      };
      const al = isObj(r.action_list) ? r.action_list : {};
      const rule: NetworkPolicyRuleSpec = {
        name: typeof r.rule_uuid === 'string' ? r.rule_uuid : String(i),
        direction: r.direction as '>' | '<>',
        src: ((r.src_addresses ?? []) as Obj[]).map((a, k) =>
          addr(a, `network_policy_entries.policy_rule[${i}].src_addresses[${k}]`),
        ),
        dst: ((r.dst_addresses ?? []) as Obj[]).map((a, k) =>
          addr(a, `network_policy_entries.policy_rule[${i}].dst_addresses[${k}]`),
        ),
        srcPorts: ((r.src_ports ?? []) as unknown[]).map((p) => ports(p) ?? [0, 65535]),
        dstPorts: ((r.dst_ports ?? []) as unknown[]).map((p) => ports(p) ?? [0, 65535]),
        action: al.simple_action as 'pass' | 'deny',
      };
      if (r.protocol !== undefined) rule.protocol = r.protocol as string | number;
      if (Array.isArray(al.apply_service) && al.apply_service.length > 0)
        rule.serviceChain = al.apply_service as string[];
      return rule;
    });
    return { name, rules };
  });

  return {
    model: {
      tagTypes: [...tagTypes],
      addressGroups,
      serviceGroups,
      firewallRules,
      firewallPolicies,
      applicationPolicySets,
      securityGroups,
      networkPolicies,
    },
    inventory: { projects, virtualNetworks, vms, hosts, interfaces },
  };
}
