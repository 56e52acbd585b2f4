// The underlay on the wire: tshark captures loopback while workloads on two agents talk across VXLAN and
// MPLS over UDP, then dissects the capture: VNI and labels as installed, UDP source ports in 49152-65535,
// one source port per flow and several across flows.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { itWithTool, scratchDir, tsharkFields } from '@filament/testkit';
import { afterAll, describe, expect } from 'vitest';
import { type Fabric, makeFabric } from './fabric.js';

const enc = (s: string) => new TextEncoder().encode(s);

function startCapture(file: string, filter: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn('tshark', ['-n', '-i', 'lo', '-f', filter, '-w', file, '-a', 'duration:120'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    const timer = setTimeout(() => reject(new Error(`tshark did not start: ${err}`)), 20_000);
    p.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      // dumpcap reports the capture started once the filter is attached; give it a moment more.
      if (err.includes('Capture started') || err.includes('Capturing on')) {
        clearTimeout(timer);
        setTimeout(() => resolve(p), 1000);
      }
    });
    p.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tshark exited ${code}: ${err}`));
    });
  });
}

function stopCapture(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill('SIGINT');
  });
}

describe('underlay capture', () => {
  let f: Fabric | undefined;
  let cap: ChildProcess | undefined;
  const scratch = scratchDir('filament-agent-');
  afterAll(async () => {
    if (cap) await stopCapture(cap);
    await f?.stop();
    scratch.cleanup();
  });

  itWithTool(
    'tshark',
    'tshark dissects VXLAN VNI 100 and the MPLS labels, with per-flow entropy source ports',
    async () => {
      f = await makeFabric();
      const file = join(scratch.path, 'underlay.pcap');
      const [h1, h2] = f.addrs;
      cap = await startCapture(file, `udp and (port 4789 or port 6635) and host ${h1} and host ${h2}`);
      // Bridged flows (VXLAN): pings and eight UDP echo flows with distinct source ports.
      await f.w1.ping('10.1.1.12', 1);
      await f.w1.ping('10.1.1.12', 2);
      for (let i = 0; i < 8; i++) await f.w1.udpEcho('10.1.1.12', enc(`flow ${i}`));
      await f.w1.tcpEcho('10.1.1.12', enc('tcp over vxlan'));
      // Routed flows (MPLS over UDP): ping and three TCP echo connections.
      await f.w1.ping('10.2.2.13', 1);
      for (let i = 0; i < 3; i++) await f.w1.tcpEcho('10.2.2.13', enc(`tcp over mpls ${i}`));
      await new Promise((r) => setTimeout(r, 1000));
      await stopCapture(cap);
      cap = undefined;

      const rows = tsharkFields(file, [
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
      if (process.env.DEBUG_ROWS) console.log(rows.map((r) => r.join(' ')).join('\n'));
      expect(rows.length).toBeGreaterThan(30);
      const label1 = f.a1.port('w1').label;
      const label3 = f.a2.port('w3').label;
      const flows = new Map<string, Set<number>>();
      let vxlan = 0;
      let mpls = 0;
      for (const r of rows) {
        const [src, dst, sport, dport, vni, label, proto, tsp, tdp, ident] = r.map((x) =>
          (x ?? '').split(','),
        );
        const outerSport = Number(sport![0]);
        expect(outerSport).toBeGreaterThanOrEqual(49152);
        expect(outerSport).toBeLessThanOrEqual(65535);
        expect([h1, h2]).toContain(src![0]);
        let inner: string;
        if (dport![0] === '4789') {
          vxlan++;
          expect(vni![0]).toBe('100');
          inner = `${src![1]}>${dst![1]} ${proto!.at(-1)} ${sport![1] ?? ''}:${dport![1] ?? ''} ${tsp![0] ?? ''}:${tdp![0] ?? ''} ${ident![0] ?? ''}`;
        } else {
          expect(dport![0]).toBe('6635');
          mpls++;
          // Labels as allocated by the receiving agent for the destination port.
          expect(Number(label![0])).toBe(src![0] === h1 ? label3 : label1);
          inner = `${src![1]}>${dst![1]} ${proto!.at(-1)} ${tsp![0] ?? ''}:${tdp![0] ?? ''} ${ident![0] ?? ''}`;
        }
        const key = `${src![0]} ${inner}`;
        if (!flows.has(key)) flows.set(key, new Set());
        flows.get(key)!.add(outerSport);
      }
      expect(vxlan).toBeGreaterThan(20);
      expect(mpls).toBeGreaterThan(10);
      // Constant within a flow...
      for (const [k, ports] of flows) expect([k, ports.size]).toEqual([k, 1]);
      // ...and varying across flows.
      const distinct = new Set([...flows.values()].flatMap((s) => [...s]));
      expect(flows.size).toBeGreaterThan(20);
      expect(distinct.size).toBeGreaterThan(3);
    },
    90_000,
  );
});
