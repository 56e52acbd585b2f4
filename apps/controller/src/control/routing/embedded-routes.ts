// Routes the controller publishes itself for hypervisor-less VTEPs: a virtual-router with virtual_router_type
// 'embedded' (a Linux kernel VXLAN device, a bare-metal server behind a ToR) runs no agent, so for the
// interfaces of the VMs it hosts the controller publishes, into the network's instance, an inet (or inet6)
// host route and an EVPN MAC/IP route with the router's address as next hop, the network's VNI, encapsulation
// vxlan and label 0, under source `config:<router name>`. Agents then learn the VTEP as a unicast destination
// and a BUM peer. Recomputed with a diff whenever config that feeds it changes.
import type { Change, StoredObject } from '../../store/interface.js';
import type { ConfigInstances } from './config-instances.js';
import { type EndpointRouteSpec, enetEntry, routeKey, routeOf, unicastEntry } from './entries.js';
import type { RouteDb, RouteFamily } from './route-db.js';
import type { VirtualRouters } from './virtual-routers.js';

interface VmiInfo {
  vn: string | undefined;
  vms: string[];
  mac: string | undefined;
}

interface IipInfo {
  address: string | undefined;
  vmis: string[];
}

interface Published {
  instance: string;
  family: RouteFamily;
  key: string;
  signature: string;
}

const TYPES: ReadonlySet<string> = new Set([
  'virtual-router',
  'virtual-machine-interface',
  'instance-ip',
  'virtual-network',
]);

const addTo = (m: Map<string, Set<string>>, k: string, v: string) => {
  let s = m.get(k);
  if (!s) {
    s = new Set();
    m.set(k, s);
  }
  s.add(v);
};

export class EmbeddedRoutes {
  private readonly vmis = new Map<string, VmiInfo>();
  private readonly iips = new Map<string, IipInfo>();
  private readonly vmisByVm = new Map<string, Set<string>>();
  private readonly iipsByVmi = new Map<string, Set<string>>();
  /** Per embedded router name: composite key -> what was published. */
  private readonly published = new Map<string, Map<string, Published>>();

  constructor(
    private readonly db: RouteDb,
    private readonly routers: VirtualRouters,
    private readonly instances: ConfigInstances,
  ) {}

  static source(routerName: string): string {
    return `config:${routerName}`;
  }

  load(objects: Iterable<StoredObject>): void {
    for (const o of objects) this.index(o);
    this.refresh();
  }

  /** Call after VirtualRouters and ConfigInstances applied the same change. */
  apply(ch: Change): void {
    if (!TYPES.has(ch.type)) return;
    if (ch.type === 'virtual-machine-interface' || ch.type === 'instance-ip') {
      this.unindex(ch.type, ch.uuid);
      if (ch.kind === 'put') this.index(ch.object);
    }
    this.refresh();
  }

  private index(o: StoredObject): void {
    if (o.type === 'virtual-machine-interface') {
      const macs = (o.body.virtual_machine_interface_mac_addresses as { mac_address?: unknown } | null)
        ?.mac_address;
      const mac = Array.isArray(macs) ? macs[0] : undefined;
      const info: VmiInfo = {
        vn: o.refs.find((r) => r.type === 'virtual-network')?.uuid,
        vms: o.refs.filter((r) => r.type === 'virtual-machine').map((r) => r.uuid),
        mac: typeof mac === 'string' ? mac : undefined,
      };
      this.vmis.set(o.uuid, info);
      for (const vm of info.vms) addTo(this.vmisByVm, vm, o.uuid);
    } else if (o.type === 'instance-ip') {
      const info: IipInfo = {
        address: typeof o.body.instance_ip_address === 'string' ? o.body.instance_ip_address : undefined,
        vmis: o.refs.filter((r) => r.type === 'virtual-machine-interface').map((r) => r.uuid),
      };
      this.iips.set(o.uuid, info);
      for (const vmi of info.vmis) addTo(this.iipsByVmi, vmi, o.uuid);
    }
  }

  private unindex(type: string, uuid: string): void {
    if (type === 'virtual-machine-interface') {
      for (const vm of this.vmis.get(uuid)?.vms ?? []) this.vmisByVm.get(vm)?.delete(uuid);
      this.vmis.delete(uuid);
    } else {
      for (const vmi of this.iips.get(uuid)?.vmis ?? []) this.iipsByVmi.get(vmi)?.delete(uuid);
      this.iips.delete(uuid);
    }
  }

  /** Re-derives every embedded router's routes and applies the difference to the RouteDb. */
  private refresh(): void {
    const seen = new Set<string>();
    for (const vr of this.routers.embedded()) {
      seen.add(vr.name);
      this.refreshRouter(vr.name, vr.ip, vr.vms);
    }
    for (const name of [...this.published.keys()])
      if (!seen.has(name)) this.refreshRouter(name, undefined, []);
  }

  private refreshRouter(name: string, ip: string | undefined, vms: string[]): void {
    const source = EmbeddedRoutes.source(name);
    const want = new Map<
      string,
      Published & { entry: ReturnType<typeof unicastEntry> | ReturnType<typeof enetEntry> }
    >();
    if (ip) {
      for (const vm of vms) {
        for (const vmiUuid of this.vmisByVm.get(vm) ?? []) {
          const vmi = this.vmis.get(vmiUuid);
          const net = vmi?.vn ? this.instances.network(vmi.vn) : undefined;
          if (!vmi || !net) continue;
          for (const iipUuid of this.iipsByVmi.get(vmiUuid) ?? []) {
            const addr = this.iips.get(iipUuid)?.address;
            if (!addr) continue;
            const spec: EndpointRouteSpec = {
              ip: addr,
              mac: vmi.mac ?? '00:00:00:00:00:00',
              nextHop: ip,
              label: 0,
              vni: net.vni ?? 0,
              encapsulations: ['vxlan'],
              vn: net.fq,
            };
            const family: RouteFamily = addr.includes(':') ? 'inet6' : 'inet';
            const uni = unicastEntry(spec);
            const signature = JSON.stringify(spec);
            const uk = routeKey(routeOf(family, uni));
            want.set(`${net.instance}\u0000${family}\u0000${uk}`, {
              instance: net.instance,
              family,
              key: uk,
              signature,
              entry: uni,
            });
            if (vmi.mac) {
              const en = enetEntry(spec);
              const ek = routeKey(routeOf('enet', en));
              want.set(`${net.instance}\u0000enet\u0000${ek}`, {
                instance: net.instance,
                family: 'enet',
                key: ek,
                signature,
                entry: en,
              });
            }
          }
        }
      }
    }
    const had = this.published.get(name) ?? new Map<string, Published>();
    for (const [k, p] of had) if (!want.has(k)) this.db.removePath(p.instance, p.family, p.key, source);
    const now = new Map<string, Published>();
    for (const [k, p] of want) {
      if (had.get(k)?.signature !== p.signature)
        this.db.addPath(p.instance, p.family, p.key, { source, entry: p.entry });
      now.set(k, { instance: p.instance, family: p.family, key: p.key, signature: p.signature });
    }
    if (now.size > 0) this.published.set(name, now);
    else this.published.delete(name);
  }
}
