// Issue 9, test 1 through the whole system, as root: `filament-lab --once --json --workloads tap` — every
// workload is a network namespace with the kernel's IP stack behind a TAP device of its agent; iputils
// ping and a 1 MiB HTTP transfer whose sha256 must match the served file, in each network (VXLAN) and
// across them (MPLS over UDP), plus the policy's denied flows. With tshark, a capture of the underlay (the
// lab's veth/bridge) shows the networks' VNIs, the labels the agents hold routes with, and RFC 7510 entropy
// source ports in 49152-65535, one per flow, differing across flows. Nothing may be left behind: no
// namespace, link or listening port.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect, describeWithTool, hasTool, tsharkFields } from '@filament/testkit';
import { describe, expect, it } from 'vitest';
import type { LabSummary } from '../src/index.js';
import { namespacesSupported } from '../src/namespaces.js';
import { labFlags, runLabProcess, testLabOptions } from './support.js';

const support = namespacesSupported();

if (!support.ok) describe.skip(`lab with TAP workloads in namespaces [skipped: ${support.why}]`, () => {});
else
  describeWithTool(['ip', 'ping'], 'lab with TAP workloads in namespaces', () => {
    it('passes every check with the kernel as workload, and cleans up', async () => {
      // The root default: a namespace per compute node on a veth/bridge underlay, TAP workloads in namespaces.
      const o = testLabOptions(4, { hosts: 'namespaces', underlays: ['198.19.64.1', '198.19.64.2'] });
      const capFile = join(mkdtempSync(join(tmpdir(), 'filament-lab-cap-')), 'underlay.pcap');
      const cap = hasTool('tshark')
        ? await startCapture(capFile, 'net 198.19.64.0/24 and udp and (port 4789 or port 6635)')
        : undefined;
      const r = await runLabProcess(['--once', '--json', '--workloads', 'tap', ...labFlags(o)]).finally(() =>
        cap ? stopCapture(cap) : undefined,
      );
      let summary: LabSummary;
      try {
        summary = JSON.parse(r.stdout) as LabSummary;
      } catch {
        throw new Error(
          `no JSON summary (exit ${r.code}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-6000)}`,
        );
      }
      expect(summary.workloads.mode).toBe('tap');
      expect(summary.hosts.mode).toBe('namespaces');
      expect(
        summary.checks.filter((c) => !c.ok),
        r.stderr.slice(-6000),
      ).toEqual([]);
      expect(r.code).toBe(0);
      const transfer = summary.checks.find((c) => c.id === 'tcp-red-blue-allowed')!;
      expect(transfer.observed).toMatch(/^1048576 bytes, sha256 [0-9a-f]{12}… matches/);
      expect(summary.checks.find((c) => c.id === 'encaps')?.observed).toBe('VXLAN, MPLSoUDP');
      if (cap) checkUnderlay(capFile, summary);
      // The namespaces are gone, the ports closed.
      const left = existsSync('/run/netns')
        ? readdirSync('/run/netns').filter((n) => n.startsWith('flab-'))
        : [];
      expect(left).toEqual([]);
      // ... and so are the underlay bridge and veths.
      expect(spawnSync('ip', ['-o', 'link', 'show']).stdout.toString()).not.toMatch(/: fl(br|v\d)\d+[@:]/);
      expect(await canConnect(o.apiHost, o.apiPort)).toBe(false);
      for (const u of o.underlays) expect(await canConnect(u, o.portApiPort)).toBe(false);
    }, 300_000);
  });

/** tshark on every interface (the bridge and veths are the lab's own), resolved once it is capturing. */
function startCapture(file: string, filter: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn('tshark', ['-n', '-i', 'any', '-f', filter, '-w', file, '-a', 'duration:600'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`tshark did not start: ${err}`));
    }, 20_000);
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('Capturing on')) {
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

/** SIGINT flushes the file; waits for tshark to exit. */
function stopCapture(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    p.kill('SIGINT');
  });
}

/**
 * The underlay as tshark dissects it: VXLAN carries the VNI of the inner destination's network, MPLS over
 * UDP the label of the sender's route to the inner destination (from the lab's summary), and every outer
 * source port is in 49152-65535, one per inner flow and direction, with several different ones overall.
 */
function checkUnderlay(file: string, summary: LabSummary): void {
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
  const vniOf = (ip: string) =>
    ip.startsWith('10.10.1.') ? '10101' : ip.startsWith('10.10.2.') ? '10102' : '?';
  // The label each agent's route to an inner destination carries, keyed by the agent's underlay address.
  const labels = new Map<string, string>();
  for (const a of summary.agents) {
    const underlay = summary.endpoints.agents.find((x) => x.name === a.name)!.underlay;
    for (const r of a.routes) {
      const m = /label (\d+)/.exec(r.nextHop);
      if (m) labels.set(`${underlay} ${r.prefix.replace('/32', '')}`, m[1]!);
    }
  }
  const portsByFlow = new Map<string, Set<number>>();
  const allPorts = new Set<number>();
  let vxlan = 0;
  let mpls = 0;
  for (const row of rows) {
    const [src, , sport, dport, vni, label, proto, tsp, tdp, ident] = row.map((x) => (x ?? '').split(','));
    const outerSport = Number(sport![0]);
    expect(outerSport).toBeGreaterThanOrEqual(49152);
    expect(outerSport).toBeLessThanOrEqual(65535);
    allPorts.add(outerSport);
    const innerDst = row[1]!.split(',')[1];
    if (dport![0] === '4789') {
      vxlan++;
      // ARP inside VXLAN has no inner IP; every inner IPv4 packet carries its network's VNI.
      if (innerDst !== undefined) expect(vni![0]).toBe(vniOf(innerDst));
    } else {
      expect(dport![0]).toBe('6635');
      mpls++;
      expect(innerDst).toBeDefined();
      expect(label![0]).toBe(labels.get(`${src![0]} ${innerDst}`));
    }
    if (innerDst === undefined) continue;
    const innerSrc = row[0]!.split(',')[1];
    const l4 = proto!.at(-1) === '6' ? `${tsp![0]}-${tdp![0]}` : `icmp-${ident![0] ?? ''}`;
    const flow = `${src![0]} ${innerSrc} ${innerDst} ${l4}`;
    let set = portsByFlow.get(flow);
    if (!set) {
      set = new Set();
      portsByFlow.set(flow, set);
    }
    set.add(outerSport);
  }
  expect(vxlan).toBeGreaterThan(100);
  expect(mpls).toBeGreaterThan(100);
  for (const [flow, set] of portsByFlow) expect([flow, set.size]).toEqual([flow, 1]);
  expect(allPorts.size).toBeGreaterThan(2);
  console.log(
    `underlay: ${vxlan} VXLAN and ${mpls} MPLS over UDP packets, ${portsByFlow.size} inner flows, ${allPorts.size} source ports`,
  );
}
