// The data plane's own per-packet work, without sockets: agent A's port -> flow -> encapsulation, handed
// straight to agent B's underlay input -> decapsulation -> flow -> its port. What a batching socket layer
// would still have to pay per packet, so it goes into the batching estimate of bench/underlay.ts.
import { runBench } from '@filament/testkit';
import { Agent, macFromText } from '../../src/index.js';
import { udpFrame } from '../../test/frames.js';

const ROUTER_MAC = '00:00:5e:00:01:00';

/** Packets/s through both agents' pipelines in one process (tinybench), bridged (VXLAN) and routed (MPLS). */
export async function inProcessPipeline(payload: number): Promise<{ vxlan: number; mpls: number }> {
  const a = new Agent({ name: 'a', underlay: '192.0.2.1', routerMac: ROUTER_MAC });
  const b = new Agent({ name: 'b', underlay: '192.0.2.2', routerMac: ROUTER_MAC });
  for (const x of [a, b]) x.addVrf({ name: 'blue', vni: 100, gateways: ['10.88.1.1'] });
  let delivered = 0;
  const ipam = (address: string) => ({ address, prefixLen: 24, gateway: '10.88.1.1' });
  const pa = a.addPort({
    name: 'wa',
    vrf: 'blue',
    mac: '02:00:00:88:00:11',
    ipam: ipam('10.88.1.11'),
    deliver: () => {},
  });
  const pb = b.addPort({
    name: 'wb',
    vrf: 'blue',
    mac: '02:00:00:88:00:12',
    ipam: ipam('10.88.1.12'),
    deliver: () => {
      delivered++;
    },
  });
  const tunnel = {
    dst: '192.0.2.2',
    vni: 100,
    label: pb.label,
    encaps: ['vxlan' as const, 'mpls-udp' as const],
  };
  a.addMac('blue', '02:00:00:88:00:12', { tunnel }, '10.88.1.12');
  a.addRoute('blue', '10.88.1.12/32', { tunnel });
  const back = {
    dst: '192.0.2.1',
    vni: 100,
    label: pa.label,
    encaps: ['vxlan' as const, 'mpls-udp' as const],
  };
  b.addMac('blue', '02:00:00:88:00:11', { tunnel: back }, '10.88.1.11');
  b.addRoute('blue', '10.88.1.11/32', { tunnel: back });
  a.fw.send = (buf, start, length) => b.fw.fromUnderlay(buf, start, length);
  const frames = (dst: string) =>
    Array.from({ length: 16 }, (_, i) =>
      udpFrame(
        macFromText(dst),
        macFromText('02:00:00:88:00:11'),
        '10.88.1.11',
        '10.88.1.12',
        40_000 + i,
        7,
        new Uint8Array(payload),
      ),
    );
  const bridged = frames('02:00:00:88:00:12');
  const routed = frames(ROUTER_MAC);
  const N = 256;
  let k = 0;
  const rows = await runBench(
    `in process, both agents' pipelines, no sockets (UDP payload ${payload} bytes)`,
    [
      {
        name: 'A port -> VXLAN -> B decap -> port',
        items: N,
        fn: () => {
          for (let i = 0; i < N; i++) a.fw.fromPort(pa.index, bridged[(k + i) & 15]!);
          k++;
        },
      },
      {
        name: 'A port -> MPLS over UDP -> B decap -> port',
        items: N,
        fn: () => {
          for (let i = 0; i < N; i++) a.fw.fromPort(pa.index, routed[(k + i) & 15]!);
          k++;
        },
      },
    ],
  );
  if (delivered === 0) throw new Error('in-process pipeline delivered nothing');
  return { vxlan: rows[0]!.itemsPerSec, mpls: rows[1]!.itemsPerSec };
}
