// End to end with the kernel's IP stack as workloads (issue 9, test 1 at the data-plane level): two agents
// in this process on underlay 127.0.55.1 / 127.0.55.2, wired as a controller would wire them, and three
// workloads that are TAP devices in namespaces of their own: wa (compute-1, blue 10.1.1.11), wb (compute-2,
// blue 10.1.1.12), wc (compute-2, red 10.2.2.13). iputils ping and curl against python3's http.server,
// bridged in blue across VXLAN, then routed blue -> red across MPLS over UDP; a tshark capture of the
// underlay on lo shows the VNI and labels as installed and one entropy source port per flow.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describeWithTool, hasTool, itWithTool, scratchDir, tsharkFields } from '@filament/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../src/index.js';
import { tapSupported } from '../src/tap/index.js';
import { NetnsLab, netnsSupported } from './netns.js';
import { startCapture, stopCapture } from './netns-capture.js';
import { httpGet, httpServe, ping, randomFile } from './netns-traffic.js';
import { attachTapWorkload, type TapWorkload } from './netns-workload.js';

const H1 = '127.0.55.1';
const H2 = '127.0.55.2';
const VNI_BLUE = 5100;
const VNI_RED = 5200;
const HTTP_PORT = 28080;
const BLOB_BYTES = 4 * 1024 * 1024;

const tap = tapSupported();
const ns = netnsSupported();
const why = !ns.ok ? ns.why : !tap.ok ? tap.why : '';

if (why) describe.skip(`namespace workloads on two agents [skipped: ${why}]`, () => {});
else
  describeWithTool(['ping', 'curl'], 'namespace workloads on two agents', () => {
    let lab: NetnsLab;
    let scratch: ReturnType<typeof scratchDir>;
    const a1 = new Agent({ name: 'compute-1', underlay: H1 });
    const a2 = new Agent({ name: 'compute-2', underlay: H2 });
    let wa: TapWorkload;
    let wb: TapWorkload;
    let wc: TapWorkload;
    let cap: ChildProcess | undefined;
    let capFile = '';
    const capName = 'underlay.pcap';
    let blob: { name: string; sha256: string };

    beforeAll(async () => {
      // Made here, not at collection, so a skipped suite leaves nothing behind.
      lab = new NetnsLab();
      scratch = scratchDir('filament-netns-e2e-');
      capFile = join(scratch.path, capName);
      await a1.start();
      await a2.start();
      for (const a of [a1, a2]) {
        a.addVrf({ name: 'blue', vni: VNI_BLUE, gateways: ['10.1.1.1'] });
        a.addVrf({ name: 'red', vni: VNI_RED, gateways: ['10.2.2.1'] });
      }
      wa = await attachTapWorkload(lab, a1, {
        name: 'wa',
        vrf: 'blue',
        mac: '02:00:00:55:01:11',
        address: '10.1.1.11',
        prefixLen: 24,
        gateway: '10.1.1.1',
      });
      wb = await attachTapWorkload(lab, a2, {
        name: 'wb',
        vrf: 'blue',
        mac: '02:00:00:55:01:12',
        address: '10.1.1.12',
        prefixLen: 24,
        gateway: '10.1.1.1',
      });
      wc = await attachTapWorkload(lab, a2, {
        name: 'wc',
        vrf: 'red',
        mac: '02:00:00:55:02:13',
        address: '10.2.2.13',
        prefixLen: 24,
        gateway: '10.2.2.1',
      });
      // What the controller would send: each remote workload's MAC/IP (EVPN) and /32 (inet) with the label
      // its agent allocated; blue and red leak each other's routes (a network policy allows it), routed.
      const both = ['vxlan', 'mpls-udp'] as const;
      const toA = { tunnel: { dst: H1, vni: VNI_BLUE, label: wa.port.label, encaps: [...both] } };
      const toB = { tunnel: { dst: H2, vni: VNI_BLUE, label: wb.port.label, encaps: [...both] } };
      a1.addMac('blue', wb.spec.mac, toB, wb.spec.address);
      a1.addRoute('blue', '10.1.1.12/32', toB);
      a2.addMac('blue', wa.spec.mac, toA, wa.spec.address);
      a2.addRoute('blue', '10.1.1.11/32', toA);
      a1.addRoute('blue', '10.2.2.13/32', {
        tunnel: { dst: H2, label: wc.port.label, encaps: ['mpls-udp'] },
      });
      a2.addRoute('red', '10.1.1.11/32', { tunnel: { dst: H1, label: wa.port.label, encaps: ['mpls-udp'] } });
      a1.setBumPeers('blue', [H2]);
      a2.setBumPeers('blue', [H1]);

      blob = randomFile(scratch.path, 'blob', BLOB_BYTES);
      const capturing = hasTool('tshark')
        ? startCapture(capFile, `udp and (port 4789 or port 6635) and host ${H1} and host ${H2}`)
        : undefined;
      await Promise.all([
        httpServe(lab, wb.ns, wb.spec.address, HTTP_PORT, scratch.path),
        httpServe(lab, wc.ns, wc.spec.address, HTTP_PORT, scratch.path),
      ]);
      cap = await capturing;
    }, 120_000);

    afterAll(async () => {
      if (cap) await stopCapture(cap);
      await lab?.cleanup();
      for (const w of [wa, wb, wc]) await w?.device.close();
      await a1.stop();
      await a2.stop();
      scratch?.cleanup();
    });

    it('ping and an HTTP transfer with sha256 across VXLAN (blue, bridged)', async () => {
      const vx = a1.fw.counters.tunnelTx[1]!;
      const p = await ping(lab, wa.ns, wb.spec.address, 3);
      expect([p.received, p.output]).toEqual([3, p.output]);
      for (let i = 0; i < 2; i++) {
        const got = await httpGet(
          lab,
          wa.ns,
          `http://${wb.spec.address}:${HTTP_PORT}/blob`,
          join(scratch.path, `got-vxlan-${i}`),
        );
        expect(got).toEqual({ sha256: blob.sha256, bytes: BLOB_BYTES });
      }
      // Bridged traffic left compute-1 as VXLAN (counter 1) and came back to it the same way.
      expect(a1.fw.counters.tunnelTx[1]! - vx).toBeGreaterThan(100);
      expect(a2.fw.counters.tunnelTx[1]!).toBeGreaterThan(1000);
      expect(wb.device.counters.txBytes).toBeGreaterThan(2 * BLOB_BYTES * 0.01);
      expect(wb.device.counters.rxBytes).toBeGreaterThan(2 * BLOB_BYTES);
    }, 120_000);

    it('ping and an HTTP transfer with sha256 across MPLS over UDP (blue -> red, routed)', async () => {
      const mpls = a1.fw.counters.tunnelTx[2]!;
      const p = await ping(lab, wa.ns, wc.spec.address, 3);
      expect([p.received, p.output]).toEqual([3, p.output]);
      // Routed by the distributed gateway, one hop: the kernel sends 64, the ingress agent decrements once.
      const ttls = [...p.output.matchAll(/ttl=(\d+)/g)].map((m) => Number(m[1]));
      expect(ttls).toHaveLength(3);
      for (const ttl of ttls) expect(ttl).toBe(63);
      for (let i = 0; i < 2; i++) {
        const got = await httpGet(
          lab,
          wa.ns,
          `http://${wc.spec.address}:${HTTP_PORT}/blob`,
          join(scratch.path, `got-mpls-${i}`),
        );
        expect(got).toEqual({ sha256: blob.sha256, bytes: BLOB_BYTES });
      }
      expect(a1.fw.counters.tunnelTx[2]! - mpls).toBeGreaterThan(100);
      expect(a2.fw.counters.tunnelTx[2]!).toBeGreaterThan(1000);
    }, 120_000);

    itWithTool(
      'tshark',
      'tshark on lo: VNI and labels as installed, entropy source ports in 49152-65535, one per flow',
      async () => {
        expect(cap).toBeDefined();
        await new Promise((r) => setTimeout(r, 500));
        await stopCapture(cap!);
        cap = undefined;
        const rows = tsharkFields(capFile, [
          'ip.src',
          'ip.dst',
          'udp.srcport',
          'udp.dstport',
          'vxlan.vni',
          'mpls.label',
          'ip.proto',
          'tcp.srcport',
          'tcp.dstport',
          'icmp.ident',
        ]);
        const flows = { vxlan: new Map<string, Set<number>>(), mpls: new Map<string, Set<number>>() };
        let vxlan = 0;
        let mpls = 0;
        for (const r of rows) {
          const [src, dst, sport, dport, vni, label, proto, tsp, tdp, ident] = r.map((x) =>
            (x ?? '').split(','),
          );
          const outerSport = Number(sport![0]);
          expect(outerSport).toBeGreaterThanOrEqual(49152);
          expect(outerSport).toBeLessThanOrEqual(65535);
          expect([H1, H2]).toContain(src![0]);
          const innerProto = proto!.at(-1);
          let kind: 'vxlan' | 'mpls';
          if (dport![0] === '4789') {
            vxlan++;
            kind = 'vxlan';
            // Only blue has BUM peers and bridged traffic: everything in VXLAN is VNI 5100.
            expect(vni![0]).toBe(String(VNI_BLUE));
          } else {
            expect(dport![0]).toBe('6635');
            mpls++;
            kind = 'mpls';
            // The label the receiving agent allocated for the destination port.
            expect(Number(label![0])).toBe(src![0] === H1 ? wc.port.label : wa.port.label);
          }
          // Flows of the workloads' IPv4 (the kernel's IPv6 neighbour discovery is flooded, not a flow).
          if (innerProto !== '6' && innerProto !== '1') continue;
          const key = `${src![0]} ${src!.at(-1)}>${dst!.at(-1)} ${innerProto} ${tsp![0] ?? ''}:${tdp![0] ?? ''} ${ident![0] ?? ''}`;
          const m = flows[kind];
          if (!m.has(key)) m.set(key, new Set());
          m.get(key)!.add(outerSport);
        }
        expect(vxlan).toBeGreaterThan(1000);
        expect(mpls).toBeGreaterThan(1000);
        for (const kind of ['vxlan', 'mpls'] as const) {
          const m = flows[kind];
          // ping and two TCP connections, each direction from its own agent: at least six flows.
          expect(m.size).toBeGreaterThanOrEqual(6);
          // Constant within a flow...
          for (const [k, ports] of m) expect([k, [...ports]]).toEqual([k, [[...ports][0]]]);
          // ...and not one port for all of them.
          expect(new Set([...m.values()].flatMap((s) => [...s])).size).toBeGreaterThan(1);
        }
      },
      60_000,
    );
  });
