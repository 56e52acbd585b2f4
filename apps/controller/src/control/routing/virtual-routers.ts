// The virtual-router objects by name: agents authenticate as `default-global-system-config:<name>`, and
// embedded ones (hypervisor-less VTEPs) get their routes published from config.
import type { Change, StoredObject } from '../../store/interface.js';

export interface VirtualRouterInfo {
  uuid: string;
  name: string;
  /** virtual_router_ip_address, the underlay address. */
  ip: string | undefined;
  /** virtual_router_type: 'embedded' | 'tor-agent' | 'tor-service-node' | undefined (a compute node). */
  type: string | undefined;
  /** Virtual machines the router hosts (its virtual_machine_refs). */
  vms: string[];
}

export const GLOBAL_SYSTEM_CONFIG = 'default-global-system-config';

export class VirtualRouters {
  private readonly byName = new Map<string, VirtualRouterInfo>();
  private readonly nameByUuid = new Map<string, string>();

  load(objects: Iterable<StoredObject>): void {
    for (const o of objects) if (o.type === 'virtual-router') this.put(o);
  }

  /** True when the change was a virtual-router's. */
  apply(ch: Change): boolean {
    if (ch.type !== 'virtual-router') return false;
    if (ch.kind === 'delete') {
      const name = this.nameByUuid.get(ch.uuid);
      if (name) this.byName.delete(name);
      this.nameByUuid.delete(ch.uuid);
    } else this.put(ch.object);
    return true;
  }

  private put(o: StoredObject): void {
    // Only routers under the global system config name agents (fq_name [gsc, name]).
    if (o.fqName.length !== 2 || o.fqName[0] !== GLOBAL_SYSTEM_CONFIG) return;
    const old = this.nameByUuid.get(o.uuid);
    if (old) this.byName.delete(old);
    const name = o.fqName[1]!;
    this.byName.set(name, {
      uuid: o.uuid,
      name,
      ip: typeof o.body.virtual_router_ip_address === 'string' ? o.body.virtual_router_ip_address : undefined,
      type: typeof o.body.virtual_router_type === 'string' ? o.body.virtual_router_type : undefined,
      vms: o.refs.filter((r) => r.type === 'virtual-machine').map((r) => r.uuid),
    });
    this.nameByUuid.set(o.uuid, name);
  }

  get(name: string): VirtualRouterInfo | undefined {
    return this.byName.get(name);
  }

  *embedded(): Iterable<VirtualRouterInfo> {
    for (const vr of this.byName.values()) if (vr.type === 'embedded') yield vr;
  }

  get size(): number {
    return this.byName.size;
  }
}
