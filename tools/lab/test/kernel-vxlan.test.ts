// Issue 9, test 2 through the whole system, as root: a Linux kernel VXLAN device in a namespace is a
// remote VTEP (a bare-metal server behind a top-of-rack switch), configured through the controller's REST
// API only — a virtual-router with virtual_router_type 'embedded' at the VTEP's address and a
// virtual-machine/interface/instance-ip placed on it — so the controller publishes the server's routes to
// the agents itself. The lab's in-process workload red-1 (vn-red, VNI 10101) then exchanges ping and TCP
// with the server's kernel stack. The agents' underlay is the host end of a veth pair whose other end
// carries the VTEP, so the kernel and the agents really talk VXLAN over a link.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { describeWithTool } from '@filament/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, Progress, stableUuid } from '../src/index.js';
import { namespacesSupported, run } from '../src/namespaces.js';
import { testLabOptions } from './support.js';

const UNDERLAY_1 = '198.18.65.1';
const UNDERLAY_2 = '198.18.65.2';
const VTEP = '198.18.65.3';
const NS = `flab-bms-${process.pid}`;
const HOST_END = `flkh${process.pid}`.slice(0, 15);
const BMS_END = `flkb${process.pid}`.slice(0, 15);
const ECHO_PORT = 8080;

// A TCP echo server (the in-process workload's TCP client expects its bytes back).
const ECHO = `require('node:net').createServer((s) => { s.on('error', () => {}); s.pipe(s); }).listen(${ECHO_PORT}, '0.0.0.0', () => console.log('listening'));`;

const support = namespacesSupported();

if (!support.ok)
  describe.skip(`kernel VXLAN VTEP through the controller API [skipped: ${support.why}]`, () => {});
else
  describeWithTool(
    ['ip', 'bridge', 'ping', 'ethtool'],
    'kernel VXLAN VTEP through the controller API',
    () => {
      const lab = new Lab(
        testLabOptions(5, { workloads: 'in-process', underlays: [UNDERLAY_1, UNDERLAY_2] }),
        new Progress(process.env.LAB_VERBOSE ? process.stderr : null),
      );
      let echo: ChildProcess | undefined;
      const bms = { mac: '', ip: '' };

      beforeAll(async () => {
        // The underlay link: the agents' addresses on the host end, the VTEP on the other end in the namespace.
        await run(['ip', 'netns', 'add', NS]);
        await run(['ip', '-n', NS, 'link', 'set', 'lo', 'up']);
        await run(['ip', 'link', 'add', HOST_END, 'type', 'veth', 'peer', 'name', BMS_END]);
        await run(['ip', 'link', 'set', BMS_END, 'netns', NS]);
        await run(['ip', 'addr', 'add', `${UNDERLAY_1}/24`, 'dev', HOST_END]);
        await run(['ip', 'addr', 'add', `${UNDERLAY_2}/24`, 'dev', HOST_END]);
        await run(['ip', 'link', 'set', HOST_END, 'up']);
        await run(['ip', '-n', NS, 'addr', 'add', `${VTEP}/24`, 'dev', BMS_END]);
        await run(['ip', '-n', NS, 'link', 'set', BMS_END, 'up']);

        await lab.start();
        const vn = lab.provisioned!.networks.get('vn-red')!;
        // The bare-metal server, through the API only: an embedded virtual-router and a VM placed on it.
        const api = lab.api;
        const vr = await api.ensure('virtual-router', {
          fq_name: ['default-global-system-config', 'bms-1'],
          parent_type: 'global-system-config',
          virtual_router_type: 'embedded',
          virtual_router_ip_address: VTEP,
        });
        const vmUuid = stableUuid('vm:bms-1');
        await api.ensure('virtual-machine', { fq_name: [vmUuid], uuid: vmUuid, display_name: 'bms-1' });
        const vmi = await api.ensure('virtual-machine-interface', {
          fq_name: ['default-domain', 'lab', 'bms-1-eth0'],
          parent_type: 'project',
          virtual_network_refs: [{ uuid: vn.uuid }],
          virtual_machine_refs: [{ uuid: vmUuid }],
        });
        const iip = await api.ensure('instance-ip', {
          fq_name: ['bms-1-eth0-v4'],
          virtual_network_refs: [{ uuid: vn.uuid }],
          virtual_machine_interface_refs: [{ uuid: vmi.uuid }],
        });
        await api.refUpdate('virtual-router', vr.uuid, 'virtual-machine', vmUuid, 'ADD');
        bms.mac = (vmi.virtual_machine_interface_mac_addresses as { mac_address: string[] }).mac_address[0]!;
        bms.ip = iip.instance_ip_address as string;

        // The kernel VTEP with the server's MAC and address on it (VNI of vn-red), flooding to compute-1.
        await run([
          'ip',
          '-n',
          NS,
          'link',
          'add',
          'vx0',
          'type',
          'vxlan',
          'id',
          String(vn.vni),
          'dstport',
          '4789',
          'local',
          VTEP,
          'remote',
          UNDERLAY_1,
          'dev',
          BMS_END,
        ]);
        // Over veth the kernel would leave TCP checksums to an offload that never happens.
        await run(['ip', 'netns', 'exec', NS, 'ethtool', '-K', 'vx0', 'tx', 'off']);
        await run(['ip', '-n', NS, 'link', 'set', 'vx0', 'address', bms.mac]);
        await run(['ip', '-n', NS, 'addr', 'add', `${bms.ip}/24`, 'dev', 'vx0']);
        await run(['ip', '-n', NS, 'link', 'set', 'vx0', 'up']);
        echo = spawn('ip', ['netns', 'exec', NS, process.execPath, '-e', ECHO], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        await new Promise<void>((resolve, reject) => {
          echo!.stdout!.once('data', () => resolve());
          echo!.once('exit', (c) => reject(new Error(`echo server exited ${c}`)));
        });
        // The controller publishes the server's route itself: wait until compute-1 holds it, via the VTEP.
        await lab.waitUntil(
          'compute-1 holding the bare-metal server route',
          async () => {
            const routes = await lab.agent('compute-1').client.routes();
            const vrf = routes.find((r) => r.vrf.endsWith(':vn-red:vn-red'));
            const r = vrf?.routes.find((x) => x.prefix === `${bms.ip}/32`);
            return r && String(r.nextHop?.dst) === VTEP ? null : JSON.stringify(vrf?.routes ?? routes);
          },
          30_000,
        );
      }, 240_000);

      afterAll(async () => {
        if (echo && echo.exitCode === null) echo.kill('SIGKILL');
        await lab.stop();
        spawnSync('ip', ['link', 'del', HOST_END]);
        spawnSync('ip', ['netns', 'del', NS]);
      });

      const red1 = () => lab.provisioned!.workloads.find((w) => w.name === 'red-1')!;

      it('the Filament workload pings the server behind the kernel VTEP', async () => {
        const r = await lab.driver!.ping(red1(), bms.ip, 3);
        expect(r).toMatchObject({ sent: 3, received: 3 });
      });

      it('the server pings the Filament workload (kernel ping, reply over VXLAN)', async () => {
        const r = await run(
          ['ip', 'netns', 'exec', NS, 'ping', '-n', '-c', '3', '-i', '0.2', '-W', '2', red1().ip],
          { allowFail: true },
        );
        expect(r.stdout).toMatch(/3 packets transmitted, 3 received/);
        // The kernel learnt the workload's MAC behind compute-1's underlay address.
        const fdb = await run(['ip', 'netns', 'exec', NS, 'bridge', 'fdb', 'show', 'dev', 'vx0']);
        expect(fdb.stdout).toContain(`${red1().mac} dst ${UNDERLAY_1}`);
      });

      it('TCP between the Filament workload and the server: bytes echoed with the same sha256', async () => {
        const r = await lab.driver!.tcp(red1(), bms.ip, ECHO_PORT, 1400);
        expect(r.error).toBeUndefined();
        expect(r).toMatchObject({ ok: true, bytes: 1400 });
        expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
      });
    },
  );
