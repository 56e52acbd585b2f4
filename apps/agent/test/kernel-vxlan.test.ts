// Interoperability with the Linux kernel's VXLAN (issue 9, test 2 at the data-plane level): a "bare-metal
// server" behind a kernel VTEP — namespace bms with vx0 (VNI 5500, dstport 4789) over a veth pair whose host
// end carries the agent's underlay address 198.18.55.1 — and a Filament workload (a TAP device in its own
// namespace) in the VN of that VNI. The agent's VRF has the kernel VTEP as its BUM peer and the server's
// MAC/IP as a VXLAN route, as a controller would install them for a bare-metal server behind a ToR.
// Ping and TCP (HTTP with sha256) both ways between the kernel's stacks, through the agent.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describeWithTool, hasTool, itWithTool, scratchDir, tsharkFields } from '@filament/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../src/index.js';
import { tapSupported } from '../src/tap/index.js';
import { ip, NetnsLab, netnsSupported } from './netns.js';
import { startCapture, stopCapture } from './netns-capture.js';
import { httpGet, httpServe, ping, randomFile } from './netns-traffic.js';
import { attachTapWorkload, type TapWorkload } from './netns-workload.js';

const UNDERLAY = '198.18.55.1';
const VTEP = '198.18.55.2';
const VNI = 5500;
const VRF = 'default-domain:admin:bms:bms';
const BMS = { mac: '02:00:00:55:05:50', address: '10.5.5.50' };
const HTTP_PORT = 28081;
const BLOB_BYTES = 1024 * 1024;

const tap = tapSupported();
const ns = netnsSupported();
const why = !ns.ok ? ns.why : !tap.ok ? tap.why : '';

if (why) describe.skip(`kernel VXLAN VTEP <-> Filament workload [skipped: ${why}]`, () => {});
else
  describeWithTool(['ethtool', 'ping', 'curl'], 'kernel VXLAN VTEP <-> Filament workload', () => {
    let lab: NetnsLab;
    let scratch: ReturnType<typeof scratchDir>;
    const agent = new Agent({ name: 'compute-1', underlay: UNDERLAY });
    let bms: string;
    let hostEnd: string;
    let wk: TapWorkload;
    let cap: ChildProcess | undefined;
    let capFile = '';
    const capName = 'veth.pcap';
    let blob: { name: string; sha256: string };

    beforeAll(async () => {
      // Made here, not at collection, so a skipped suite leaves nothing behind.
      lab = new NetnsLab();
      scratch = scratchDir('filament-kernel-vxlan-');
      capFile = join(scratch.path, capName);
      // The kernel VTEP's side: veth to the host, vx0 on it, the server's address directly on vx0.
      bms = lab.addNamespace('bms');
      const [h, b] = lab.addVeth('fkh', 'fkb');
      hostEnd = h;
      lab.moveTo(b, bms);
      lab.configure(null, h, { addresses: [`${UNDERLAY}/24`] });
      lab.configure(bms, b, { addresses: [`${VTEP}/24`] });
      ip(
        ...['-n', bms, 'link', 'add', 'vx0', 'type', 'vxlan', 'id', String(VNI), 'dstport', '4789'],
        ...['local', VTEP, 'remote', UNDERLAY, 'dev', b],
      );
      // Over veth the kernel would leave TCP checksums to an offload that never happens.
      await lab.exec(bms, ['ethtool', '-K', 'vx0', 'tx', 'off']);
      lab.configure(bms, 'vx0', { mac: BMS.mac, addresses: [`${BMS.address}/24`] });

      await agent.start();
      agent.addVrf({ name: VRF, vni: VNI, gateways: ['10.5.5.1'], encapL2: ['vxlan'], encapL3: ['vxlan'] });
      wk = await attachTapWorkload(lab, agent, {
        name: 'wk',
        vrf: VRF,
        mac: '02:00:00:55:05:11',
        address: '10.5.5.11',
        prefixLen: 24,
        gateway: '10.5.5.1',
      });
      // As a controller installs a bare-metal server behind a ToR: the VTEP in the VN's flood list, and the
      // server's MAC/IP (EVPN type 2) and /32 pointing to it, VXLAN only.
      const toVtep = { tunnel: { dst: VTEP, vni: VNI, encaps: ['vxlan' as const] } };
      agent.setBumPeers(VRF, [VTEP]);
      agent.addMac(VRF, BMS.mac, toVtep, BMS.address);
      agent.addRoute(VRF, `${BMS.address}/32`, toVtep);

      blob = randomFile(scratch.path, 'blob', BLOB_BYTES);
      if (hasTool('tshark')) cap = await startCapture(capFile, 'udp port 4789', hostEnd);
    }, 120_000);

    afterAll(async () => {
      if (cap) await stopCapture(cap);
      await lab?.cleanup();
      await wk?.device.close();
      await agent.stop();
      scratch?.cleanup();
    });

    it('ping from the Filament workload to the server behind the kernel VTEP', async () => {
      const p = await ping(lab, wk.ns, BMS.address, 3);
      expect([p.received, p.output]).toEqual([3, p.output]);
    });

    it('ping from the server behind the kernel VTEP to the Filament workload', async () => {
      const p = await ping(lab, bms, wk.spec.address, 3);
      expect([p.received, p.output]).toEqual([3, p.output]);
      // The kernel learnt the workload's MAC behind the agent's underlay address.
      const fdb = (await lab.exec(bms, ['bridge', 'fdb', 'show', 'dev', 'vx0'])).stdout;
      expect(fdb).toMatch(new RegExp(`${wk.spec.mac} dst ${UNDERLAY.replaceAll('.', '\\.')}`));
    });

    it('TCP both ways: HTTP transfers with sha256, server on each side in turn', async () => {
      await Promise.all([
        httpServe(lab, bms, BMS.address, HTTP_PORT, scratch.path),
        httpServe(lab, wk.ns, wk.spec.address, HTTP_PORT, scratch.path),
      ]);
      const toBms = await httpGet(
        lab,
        wk.ns,
        `http://${BMS.address}:${HTTP_PORT}/blob`,
        join(scratch.path, 'got-1'),
      );
      expect(toBms).toEqual({ sha256: blob.sha256, bytes: BLOB_BYTES });
      const toWk = await httpGet(
        lab,
        bms,
        `http://${wk.spec.address}:${HTTP_PORT}/blob`,
        join(scratch.path, 'got-2'),
      );
      expect(toWk).toEqual({ sha256: blob.sha256, bytes: BLOB_BYTES });
      expect(agent.fw.counters.tunnelRx[1]!).toBeGreaterThan(700);
      expect(agent.fw.counters.tunnelTx[1]!).toBeGreaterThan(700);
    }, 120_000);

    itWithTool(
      'tshark',
      'tshark on the veth: VXLAN VNI 5500 both ways between the agent and the kernel VTEP',
      async () => {
        expect(cap).toBeDefined();
        await new Promise((r) => setTimeout(r, 500));
        await stopCapture(cap!);
        cap = undefined;
        const rows = tsharkFields(capFile, ['ip.src', 'ip.dst', 'udp.dstport', 'vxlan.vni']);
        const dirs = new Map<string, number>();
        for (const [src, dst, dport, vni] of rows) {
          expect(dport?.split(',')[0]).toBe('4789');
          expect(vni).toBe(String(VNI));
          const d = `${src?.split(',')[0]}>${dst?.split(',')[0]}`;
          dirs.set(d, (dirs.get(d) ?? 0) + 1);
        }
        expect(dirs.get(`${UNDERLAY}>${VTEP}`)).toBeGreaterThan(700);
        expect(dirs.get(`${VTEP}>${UNDERLAY}`)).toBeGreaterThan(700);
      },
      60_000,
    );
  });
