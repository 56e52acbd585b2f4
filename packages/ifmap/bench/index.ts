// Benchmarks of @filament/ifmap (not in CI), each beside a naive baseline measured in the same run:
//   1. a full config push applied and read back: 10,000+ IF-MAP objects (2,000 ports with their VM, network
//      refs and instance-ips, 50 networks with an IPAM attribute) into an empty IfmapGraph, then get() of
//      every port; baseline: the same decoded nodes in a Map and the links in one array scanned per get
//      (how a first cut of an agent's config store looks);
//   2. one incremental port update (node + its links) applied and read back on the populated graph.
// Run: pnpm --filter @filament/ifmap bench
import { runBench } from '@filament/testkit';
import type { ConfigBlock, ConfigLink, ConfigNode } from '@filament/xmpp';
import { IfmapGraph, nodeFromTfObject, type TfObject, tfObjectFromNode } from '../src/index.js';

const P = ['default-domain', 'admin'];
const uuid = (kind: number, i: number) =>
  `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const NETS = 50;
const PORTS = 2000;

function corpus(): {
  objects: (ConfigNode | ConfigLink)[];
  portNames: string[];
  port: (i: number, v: number) => (ConfigNode | ConfigLink)[];
} {
  const objects: (ConfigNode | ConfigLink)[] = [];
  const push = (o: ReturnType<typeof nodeFromTfObject>) =>
    objects.push(o.node, ...o.attributeNodes, ...o.links);
  push(nodeFromTfObject('network-ipam', { fq_name: [...P, 'ipam'], uuid: uuid(1, 0) }));
  for (let n = 0; n < NETS; n++) {
    push(
      nodeFromTfObject('virtual-network', {
        fq_name: [...P, `vn${n}`],
        uuid: uuid(2, n),
        virtual_network_properties: { vxlan_network_identifier: 5000 + n, forwarding_mode: 'l2_l3' },
        network_ipam_refs: [
          {
            to: [...P, 'ipam'],
            attr: {
              ipam_subnets: [
                { subnet: { ip_prefix: `10.${n}.0.0`, ip_prefix_len: 16 }, default_gateway: `10.${n}.0.1` },
              ],
            },
          },
        ],
      }),
    );
  }
  const port = (i: number, v: number) => {
    const o = nodeFromTfObject('virtual-machine-interface', {
      fq_name: [...P, `port${i}`],
      uuid: uuid(4, i),
      virtual_machine_interface_mac_addresses: {
        mac_address: [
          `02:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
        ],
      },
      display_name: `port${i} v${v}`,
      virtual_network_refs: [{ to: [...P, `vn${i % NETS}`] }],
      virtual_machine_refs: [{ to: [uuid(3, i)], uuid: uuid(3, i) }],
    });
    return [o.node, ...o.links];
  };
  const portNames: string[] = [];
  for (let i = 0; i < PORTS; i++) {
    push(nodeFromTfObject('virtual-machine', { fq_name: [uuid(3, i)], uuid: uuid(3, i) }));
    objects.push(...port(i, 0));
    push(
      nodeFromTfObject('instance-ip', {
        fq_name: [`ip${i}`],
        uuid: uuid(5, i),
        instance_ip_address: `10.${i % NETS}.${i >> 8}.${i & 255}`,
        instance_ip_family: 'v4',
        virtual_network_refs: [{ to: [...P, `vn${i % NETS}`] }],
        virtual_machine_interface_refs: [{ to: [...P, `port${i}`] }],
      }),
    );
    portNames.push(`${P.join(':')}:port${i}`);
  }
  return { objects, portNames, port };
}

/** The baseline store: decoded nodes by key, links in one array; a read collects the node's links by scanning. */
class NaiveGraph {
  readonly nodes = new Map<string, ConfigNode>();
  links: ConfigLink[] = [];
  apply(blocks: readonly ConfigBlock[]): void {
    for (const b of blocks) {
      for (const o of b.objects) {
        if (o.kind === 'node') {
          if (b.op === 'update') this.nodes.set(`${o.type}\t${o.name}`, o);
          else this.nodes.delete(`${o.type}\t${o.name}`);
          continue;
        }
        const same = (l: ConfigLink) =>
          l.metadata === o.metadata &&
          l.left.name === o.left.name &&
          l.right.name === o.right.name &&
          l.left.type === o.left.type;
        this.links = this.links.filter((l) => !same(l));
        if (b.op === 'update') this.links.push(o);
      }
    }
  }
  get(type: string, name: string): TfObject | undefined {
    const n = this.nodes.get(`${type}\t${name}`);
    if (n === undefined) return undefined;
    const mine = this.links.filter(
      (l) =>
        (l.left.type === type && l.left.name === name) || (l.right.type === type && l.right.name === name),
    );
    const others = mine
      .map((l) =>
        this.nodes.get(
          l.left.name === name ? `${l.right.type}\t${l.right.name}` : `${l.left.type}\t${l.left.name}`,
        ),
      )
      .filter((x) => x !== undefined);
    return tfObjectFromNode(n, mine, others);
  }
}

const { objects, portNames, port } = corpus();
const blocks: ConfigBlock[] = [{ op: 'update', objects }];
console.log(
  `corpus: ${objects.length} IF-MAP objects (${objects.filter((o) => o.kind === 'node').length} nodes), ${PORTS} ports`,
);

// Sanity: both read the same port.
{
  const g = new IfmapGraph();
  g.apply(blocks);
  const n = new NaiveGraph();
  n.apply(blocks);
  const a = JSON.stringify(g.get('virtual-machine-interface', portNames[7]!));
  const b = JSON.stringify(n.get('virtual-machine-interface', portNames[7]!));
  if (a !== b) throw new Error(`graph and baseline disagree:\n${a}\n${b}`);
}

await runBench(
  `full push: apply ${objects.length} objects, then get() each of ${PORTS} ports (items = objects)`,
  [
    {
      name: 'IfmapGraph apply + read',
      items: objects.length,
      fn: () => {
        const g = new IfmapGraph();
        g.apply(blocks);
        for (const p of portNames) g.get('virtual-machine-interface', p);
      },
    },
    {
      name: 'baseline: node map + link array scan',
      items: objects.length,
      fn: () => {
        const g = new NaiveGraph();
        g.apply(blocks);
        for (const p of portNames) g.get('virtual-machine-interface', p);
      },
    },
  ],
  { time: 3000 },
);

const graph = new IfmapGraph();
graph.apply(blocks);
const naive = new NaiveGraph();
naive.apply(blocks);
let v = 0;
await runBench(`incremental: one port update (node + 3 links) applied and read, on the populated graph`, [
  {
    name: 'IfmapGraph apply + get',
    fn: () => {
      const i = v++ % PORTS;
      graph.apply([{ op: 'update', objects: port(i, v) }]);
      graph.get('virtual-machine-interface', portNames[i]!);
    },
  },
  {
    name: 'baseline: node map + link array scan',
    fn: () => {
      const i = v++ % PORTS;
      naive.apply([{ op: 'update', objects: port(i, v) }]);
      naive.get('virtual-machine-interface', portNames[i]!);
    },
  },
]);
