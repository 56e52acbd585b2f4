// Which config objects one agent gets, read from the store (the walk of TF's IFMapServer, reduced to what a
// Filament agent uses; contract A):
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
import type { Store, StoredObject } from '../../store/interface.js';

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
export async function walkAgentConfig(store: Store, want: AgentInterest): Promise<Map<string, StoredObject>> {
  const out = new Map<string, StoredObject>();
  const vmUuids = new Set(want.virtualMachines);
  let vr: StoredObject | undefined;
  if (want.virtualRouter !== undefined) {
    const u = await store.fqNameToUuid('virtual-router', [GLOBAL_SYSTEM_CONFIG, want.virtualRouter]);
    vr = u === undefined ? undefined : await store.get(u);
  }
  if (vr !== undefined) for (const r of vr.refs) if (r.type === 'virtual-machine') vmUuids.add(r.uuid);
  if (vr === undefined && vmUuids.size === 0) return out;

  const pending: StoredObject[] = [];
  const add = (o: StoredObject | undefined): void => {
    if (o === undefined || out.has(o.uuid)) return;
    out.set(o.uuid, o);
    pending.push(o);
  };
  const addUuids = async (uuids: readonly string[]): Promise<void> => {
    const fresh = uuids.filter((u) => !out.has(u));
    if (fresh.length > 0) for (const o of await store.getMany([...new Set(fresh)])) add(o);
  };
  const byFq = async (type: string, fq: string[]): Promise<void> => {
    const u = await store.fqNameToUuid(type, fq);
    if (u !== undefined) await addUuids([u]);
  };

  add(vr);
  await byFq('global-system-config', [GLOBAL_SYSTEM_CONFIG]);
  await byFq('policy-management', [POLICY_MANAGEMENT]);
  await addUuids([...vmUuids]);

  // Breadth-first over the rules above; each object is expanded once.
  for (let i = 0; i < pending.length; i++) {
    const o = pending[i]!;
    const refsOf = (...types: string[]) => o.refs.filter((r) => types.includes(r.type)).map((r) => r.uuid);
    const parent = o.parentUuid === undefined ? [] : [o.parentUuid];
    switch (o.type) {
      case 'virtual-machine': {
        const vmis = (await store.backRefs(o.uuid)).filter((b) => b.type === 'virtual-machine-interface');
        await addUuids([...refsOf('tag'), ...vmis.map((b) => b.uuid)]);
        break;
      }
      case 'virtual-machine-interface': {
        const back = (await store.backRefs(o.uuid)).filter(
          (b) => b.type === 'instance-ip' || b.type === 'floating-ip',
        );
        await addUuids([
          ...parent,
          ...refsOf('virtual-network', 'security-group', 'tag'),
          ...back.map((b) => b.uuid),
        ]);
        break;
      }
      case 'floating-ip':
      case 'floating-ip-pool':
        await addUuids(parent); // pool, then the pool's (external) network
        break;
      case 'virtual-network': {
        const ris = await store.children(o.uuid, 'routing-instance');
        await addUuids([
          ...parent,
          ...refsOf('network-ipam', 'network-policy', 'tag'),
          ...ris.map((c) => c.uuid),
        ]);
        break;
      }
      case 'routing-instance':
        await addUuids(refsOf('route-target'));
        break;
      case 'project':
      case 'policy-management': {
        const sets = await store.children(o.uuid, 'application-policy-set');
        await addUuids([...refsOf('tag'), ...sets.map((c) => c.uuid)]);
        break;
      }
      case 'application-policy-set':
        await addUuids(refsOf('firewall-policy', 'tag'));
        break;
      case 'firewall-policy':
        await addUuids(refsOf('firewall-rule'));
        break;
      case 'firewall-rule': {
        // A network named by a rule is an endpoint, not a network of this agent: its object only.
        for (const n of await store.getMany(refsOf('virtual-network')))
          if (!out.has(n.uuid)) out.set(n.uuid, n);
        await addUuids(refsOf('service-group', 'address-group'));
        break;
      }
      case 'address-group':
        await addUuids(refsOf('tag'));
        break;
      case 'tag':
        await addUuids(refsOf('tag-type'));
        break;
    }
  }
  return out;
}
