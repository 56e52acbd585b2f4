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
//     address-groups, virtual-networks (object only); every included tag -> its tag-type.
import type { StoredObject } from '../../store/interface.js';
import type { ConfigView } from './object-index.js';

export const GLOBAL_SYSTEM_CONFIG = 'default-global-system-config';
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
        for (const b of view.referrers(o.uuid)) if (b.type === 'virtual-machine-interface') add(b);
        break;
      case 'virtual-machine-interface':
        addUuid(o.parentUuid);
        refs('virtual-network', 'security-group', 'tag');
        for (const b of view.referrers(o.uuid))
          if (b.type === 'instance-ip' || b.type === 'floating-ip') add(b);
        break;
      case 'floating-ip':
      case 'floating-ip-pool':
        addUuid(o.parentUuid); // pool, then the pool's (external) network
        break;
      case 'virtual-network':
        addUuid(o.parentUuid);
        refs('network-ipam', 'network-policy', 'tag');
        for (const c of view.children(o.uuid)) if (c.type === 'routing-instance') add(c);
        break;
      case 'routing-instance':
        refs('route-target');
        break;
      case 'project':
      case 'policy-management':
        refs('tag');
        for (const c of view.children(o.uuid)) if (c.type === 'application-policy-set') add(c);
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
        refs('service-group', 'address-group');
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
