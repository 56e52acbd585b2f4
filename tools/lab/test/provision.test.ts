// The lab's REST provisioning against the real controller process (its built bin, embedded SQLite store,
// auth on): every object of the topology is created with its allocations (MAC, address, gateway, VNI), a
// second run finds the same objects, the policy port changes through the API, and an API error carries the
// controller's field and reason.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiRequestError,
  ControllerApi,
  controllerBin,
  labTopology,
  ManagedProcess,
  provision,
  setPolicyPort,
  UnreachableError,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-provision-'));
const URL = 'http://127.0.66.2:38455';
let controller: ManagedProcess;
let api: ControllerApi;

beforeAll(async () => {
  controller = new ManagedProcess({
    name: 'controller',
    command: process.execPath,
    args: [
      controllerBin(),
      '--host',
      '127.0.66.2',
      '--port',
      '38455',
      '--data-dir',
      join(dir, 'data'),
      '--admin-token-file',
      join(dir, 'token'),
      '--xmpp-port',
      '38456',
    ],
    logFile: join(dir, 'controller.log'),
    ready: async () => {
      await new ControllerApi(URL).health();
      return null;
    },
  });
  await controller.start();
  api = new ControllerApi(URL, readFileSync(join(dir, 'token'), 'utf8').trim());
});

afterAll(async () => {
  await controller?.stop();
});

describe('provision', () => {
  const t = labTopology(['127.0.66.11', '127.0.66.12']);

  it('creates the topology through the API, and a second run finds the same objects', async () => {
    const steps: string[] = [];
    const p = await provision(api, t, (s) => steps.push(s));
    expect(steps.length).toBeGreaterThan(8);
    expect(p.workloads.map((w) => [w.name, w.agent])).toEqual([
      ['red-1', 'compute-1'],
      ['red-2', 'compute-2'],
      ['blue-1', 'compute-1'],
      ['blue-2', 'compute-2'],
    ]);
    for (const w of p.workloads) {
      const net = t.networks.find((n) => n.name === w.network)!;
      expect(w.ip.startsWith(net.subnet.slice(0, -1))).toBe(true);
      expect(w.gateway).toBe(`${net.subnet.slice(0, -1)}1`);
      expect(w.mac).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    }
    expect(new Set(p.workloads.map((w) => w.ip)).size).toBe(4);
    expect(p.networks.get('vn-red')?.vni).toBe(10101);
    expect(p.networks.get('vn-blue')?.vni).toBe(10102);
    // The routers name their compute node's underlay and hold the VMs placed on them.
    for (const a of t.agents) {
      const vr = await api.get('virtual-router', p.virtualRouters.get(a.name)!);
      expect(vr.virtual_router_ip_address).toBe(a.underlay);
      const vms = (vr.virtual_machine_refs as { uuid: string }[]).map((r) => r.uuid).sort();
      expect(vms).toEqual(
        p.workloads
          .filter((w) => w.agent === a.name)
          .map((w) => w.vmUuid)
          .sort(),
      );
    }
    // Both networks carry the policy.
    for (const n of p.networks.values()) {
      const vn = await api.get('virtual-network', n.uuid);
      expect((vn.network_policy_refs as { uuid: string }[]).map((r) => r.uuid)).toEqual([p.policyUuid]);
    }
    const again = await provision(api, t, () => {});
    expect(again.workloads).toEqual(p.workloads);
  });

  it('changes the policy port through the API', async () => {
    const p = await provision(api, t, () => {});
    await setPolicyPort(api, t, p.policyUuid, 9090);
    const np = await api.get('network-policy', p.policyUuid);
    const rule = (np.network_policy_entries as { policy_rule: { dst_ports: { start_port: number }[] }[] })
      .policy_rule[0]!;
    expect(rule.dst_ports[0]!.start_port).toBe(9090);
    await setPolicyPort(api, t, p.policyUuid, t.policy.tcpPort);
  });

  it('reports the API error with the field and reason, and no token as 401', async () => {
    const e = await api
      .create('virtual-network', {
        fq_name: ['default-domain', 'lab', 'bad'],
        parent_type: 'project',
        virtual_network_properties: { vxlan_network_identifier: -5 },
      })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiRequestError);
    expect((e as ApiRequestError).status).toBe(400);
    expect((e as ApiRequestError).message).toContain('vxlan_network_identifier');
    const anon = await new ControllerApi(URL).list('virtual-network').catch((x: unknown) => x);
    expect((anon as ApiRequestError).status).toBe(401);
    const down = await new ControllerApi('http://127.0.66.2:38457').health().catch((x: unknown) => x);
    expect(down).toBeInstanceOf(UnreachableError);
  });
});
