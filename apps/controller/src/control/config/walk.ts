// Which config objects one agent gets, read from the in-memory object index (the walk of TF's IFMapServer, reduced
// to what a Filament agent uses; contract A):
//
//   virtual-router default-global-system-config:<agent>  (+ global-system-config, global-vrouter-config)
//     -> virtual-machine (its virtual_machine_refs, plus the VMs the agent subscribed by uuid)
//       -> virtual-machine-interface (back-refs of the VM)  -> project (+ its tags)
//            -> virtual-network, security-groups, tags
//            <- instance-ips, floating-ips (-> floating-ip-pool -> its virtual-network)
//   virtual-network -> network-ipams, network-policies, tags, project; its routing-instances -> route-targets
//   firewall side (what @filament/policy's loadTfObjects compiles): the application-policy-sets of the global
//     policy-management and of the agents' projects -> firewall-policies -> firewall-rules -> service-groups,
//     address-groups, virtual-networks (object only), and the tags its endpoints and match_tags name as text
//     (TF's API server would have made those tag_refs: `global:<t>=<v>` is the global tag, `<t>=<v>` the rule's
//     project's tag, else the global one); every included tag -> its tag-type.
//
// Every lookup goes through the view, so a recording view (dependencies.ts) learns exactly which objects, names,
// children and back-refs a walk read: the changes that can alter the graph are the ones that match those.
import type { StoredObject } from '../../store/interface.js';
import type { ConfigView } from './object-index.js';

export const GLOBAL_SYSTEM_CONFIG = 'default-global-system-config';
export const GLOBAL_VROUTER_CONFIG = 'default-global-vrouter-config';
export const POLICY_MANAGEMENT = 'default-policy-management';

/** What an agent asked for on its config channel. */
export interface AgentInterest {
  /** The virtual-router's name (`virtual-router:default-global-system-config:<name>`), once subscribed. */
  virtualRouter: string | undefined;
  /** VM uuids subscribed as `virtual-machine:<uuid>`. */
  virtualMachines: ReadonlySet<string>;
}

/** The objects of one agent's graph by uuid. Empty when the agent has neither a virtual-router nor a VM. */
export function walkAgentConfig(view: ConfigView, want: AgentInterest): Map<string, StoredObject> {
  const out = new Map<string, StoredObject>();
  const vmUuids = new Set(want.virtualMachines);
  const vr =
    want.virtualRouter === undefined
      ? undefined
      : view.byFqName('virtual-router', [GLOBAL_SYSTEM_CONFIG, want.virtualRouter]);
  if (vr !== undefined) for (const r of vr.refs) if (r.type === 'virtual-machine') vmUuids.add(r.uuid);
  if (vr === undefined && vmUuids.size === 0) return out;

  const pending: StoredObject[] = [];
  const add = (o: StoredObject | undefined): void => {
    if (o === undefined || out.has(o.uuid)) return;
    out.set(o.uuid, o);
    pending.push(o);
  };
  const addUuid = (u: string | undefined): void => {
    if (u !== undefined && !out.has(u)) add(view.get(u));
  };

  add(vr);
  add(view.byFqName('global-system-config', [GLOBAL_SYSTEM_CONFIG]));
  add(view.byFqName('global-vrouter-config', [GLOBAL_SYSTEM_CONFIG, GLOBAL_VROUTER_CONFIG]));
  add(view.byFqName('policy-management', [POLICY_MANAGEMENT]));
  for (const u of vmUuids) addUuid(u);

  // Breadth-first over the rules above; each object is expanded once.
  for (let i = 0; i < pending.length; i++) {
    const o = pending[i]!;
    const refs = (...types: string[]) => {
      for (const r of o.refs) if (types.includes(r.type)) addUuid(r.uuid);
    };
    switch (o.type) {
      case 'virtual-machine':
        refs('tag');
        for (const b of view.referrers(o.uuid, 'virtual-machine-interface')) add(b);
        break;
      case 'virtual-machine-interface':
        addUuid(o.parentUuid);
        refs('virtual-network', 'security-group', 'tag');
        for (const b of view.referrers(o.uuid, 'instance-ip')) add(b);
        for (const b of view.referrers(o.uuid, 'floating-ip')) add(b);
        break;
      case 'floating-ip':
      case 'floating-ip-pool':
        addUuid(o.parentUuid); // pool, then the pool's (external) network
        break;
      case 'virtual-network':
        addUuid(o.parentUuid);
        refs('network-ipam', 'network-policy', 'tag');
        for (const c of view.children(o.uuid, 'routing-instance')) add(c);
        break;
      case 'routing-instance':
        refs('route-target');
        break;
      case 'project':
      case 'policy-management':
        refs('tag');
        for (const c of view.children(o.uuid, 'application-policy-set')) add(c);
        break;
      case 'application-policy-set':
        refs('firewall-policy', 'tag');
        break;
      case 'firewall-policy':
        refs('firewall-rule');
        break;
      case 'firewall-rule':
        // A network named by a rule is an endpoint, not a network of this agent: its object only.
        for (const r of o.refs) {
          const n = r.type === 'virtual-network' ? view.get(r.uuid) : undefined;
          if (n !== undefined && !out.has(n.uuid)) out.set(n.uuid, n);
        }
        refs('service-group', 'address-group', 'tag');
        for (const name of ruleTagNames(o)) add(resolveTag(view, o, name));
        for (const t of ruleMatchTagTypes(o)) add(view.byFqName('tag-type', [t]));
        break;
      case 'address-group':
        refs('tag');
        break;
      case 'tag':
        refs('tag-type');
        break;
    }
  }
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** Tag names (`<type>=<value>`, maybe `global:`-prefixed) in a firewall rule's endpoints. */
function ruleTagNames(rule: StoredObject): string[] {
  const out: string[] = [];
  for (const f of ['endpoint_1', 'endpoint_2']) {
    const ep = rule.body[f];
    if (isRecord(ep)) out.push(...strings(ep.tags));
  }
  return out;
}

/** Tag types a rule's match_tags names (TF `match_tags.tag_list`). */
function ruleMatchTagTypes(rule: StoredObject): string[] {
  const mt = rule.body.match_tags;
  return isRecord(mt) ? strings(mt.tag_list) : [];
}

const GLOBAL_TAG = 'global:';

/** The tag a rule names: explicit global, else the rule's project's tag, else the global one. */
function resolveTag(view: ConfigView, rule: StoredObject, name: string): StoredObject | undefined {
  if (name.startsWith(GLOBAL_TAG)) return view.byFqName('tag', [name.slice(GLOBAL_TAG.length)]);
  // A rule under a project is <domain>:<project>:<rule>; under the global policy-management it is 2 long.
  const scoped =
    rule.fqName.length === 3 ? view.byFqName('tag', [...rule.fqName.slice(0, 2), name]) : undefined;
  return scoped ?? view.byFqName('tag', [name]);
}
