// A TAP workload through the port API (root): `POST /port` with workload.kind "tap" makes the agent open the
// TAP device named by system-name once the port's config arrives (contract E); the test moves it into a
// namespace with the port's MAC and address, as the lab does, and the kernel's ping reaches an in-process
// workload on a second agent across VXLAN, both agents wired only through the simulated control node.
// `DELETE /port` closes the device. Underlay 127.0.62.4x-8x (the lab uses .1, .11, .12).

import { existsSync } from 'node:fs';
import { describeWithTool } from '@filament/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../src/index.js';
import { tapSupported } from '../src/tap/index.js';
import { http, ids, type SimController, until, type WorkloadConfig } from './control-sim.js';
import { NetnsLab, netnsSupported } from './netns.js';
import { ping } from './netns-traffic.js';
import {
  addPort,
  portApiUrl as api,
  type SimulatedControl,
  startSimulatedControl,
  stopControlTest,
} from './support/control-setup.js';
import { topologyObjects } from './support/topology.js';

const CONTROL = '127.0.62.41';
const U1 = '127.0.62.51';
const U2 = '127.0.62.52';
const XMPP_PORT = 35_621;
const TAP = `ce4t${process.pid}`;

const wt: WorkloadConfig = { n: 1, vn: 'blue', address: '10.1.1.11', mac: '02:00:00:62:01:11' };
const wi: WorkloadConfig = { n: 2, vn: 'blue', address: '10.1.1.12', mac: '02:00:00:62:01:12' };

const tap = tapSupported();
const ns = netnsSupported();
const why = !ns.ok ? ns.why : !tap.ok ? tap.why : '';

if (why) describe.skip(`TAP workload through the port API [skipped: ${why}]`, () => {});
else
  describeWithTool(['ping'], 'TAP workload through the port API', () => {
    const lab = new NetnsLab();
    let sim: SimController;
    let a: RunningAgent;
    let b: RunningAgent;
    let stateDir: string;
    let agentConfig: SimulatedControl['agentConfig'];

    beforeAll(async () => {
      ({ sim, stateDir, agentConfig } = await startSimulatedControl({
        host: CONTROL,
        xmppPort: XMPP_PORT,
        stateDirName: 'control-tap',
        objects: topologyObjects({
          encapsulations: ['MPLSoUDP', 'VXLAN'],
          routers: [
            ['compute-62a', U1],
            ['compute-62b', U2],
          ],
          networks: [{ n: 1, name: 'blue', subnet: '10.1.1.0/24', vni: 1621 }],
          workloads: [wt, wi],
        }),
      }));
      a = await startAgent(agentConfig('compute-62a', U1, 'a'));
      b = await startAgent(agentConfig('compute-62b', U2, 'b'), { workloadTimeoutMs: 1000 });
    });

    afterAll(async () => {
      await stopControlTest([a, b], [sim], stateDir);
      await lab.cleanup();
    });

    it('the kernel pings an in-process workload on the other agent across VXLAN; delete closes the device', async () => {
      expect(await addPort(a, wt, { 'system-name': TAP, workload: { kind: 'tap' } })).toBe(200);
      expect(await addPort(b, wi)).toBe(200);
      await until(async () => {
        const p = (await http('GET', `${api(a)}/port/${ids.vmi(1)}`)).json as { status: { state: string } };
        return p.status.state === 'attached';
      }, 'TAP port attached');
      expect(existsSync(`/sys/class/net/${TAP}`)).toBe(true);
      const n = lab.addNamespace('e4t');
      lab.moveTo(TAP, n);
      lab.configure(n, TAP, { mac: wt.mac, mtu: 1450, addresses: ['10.1.1.11/24'], gateway: '10.1.1.1' });
      await until(
        () => a.agent.vrf('default-domain:admin:blue:blue').macs.size >= 2,
        'the remote MAC/IP route on the TAP agent',
      );
      const res = await ping(lab, n, '10.1.1.12', 3);
      expect(res.received, res.output).toBeGreaterThan(0);
      expect(a.agent.fw.counters.tunnelTx[1]!).toBeGreaterThan(0);
      // And the in-process workload pings the kernel back.
      const back = (await http('POST', `${api(b)}/port/${ids.vmi(2)}/ping`, { to: '10.1.1.11', count: 2 }))
        .json as { received: number };
      expect(back.received).toBe(2);
      // The agent closes the device with the port; moved into the namespace, it vanishes from there.
      expect((await http('DELETE', `${api(a)}/port/${ids.vmi(1)}`)).status).toBe(200);
      await until(async () => {
        const x = await lab.exec(n, ['ip', 'link', 'show', TAP], { allowFail: true });
        return x.code !== 0;
      }, 'TAP device gone');
    });
  });
