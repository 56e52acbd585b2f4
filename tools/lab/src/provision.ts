// Creates the lab's configuration through the controller's REST API, in dependency order, the way an
// orchestrator would: project, IPAM, network policy, virtual networks with subnets, virtual-routers for the
// agents, then per workload a virtual-machine, its interface (MAC allocated by the controller), its
// instance-ip (address allocated) and the virtual-router -> virtual-machine ref that places it on an agent.
// Every step is idempotent (found by fq_name first), so a second run on the same state reuses the objects.
import type { ControllerApi, TfObject } from './controller-api.js';
import { LabError } from './errors.js';
import { type NetworkSpec, projectFq, stableUuid, type Topology, type WorkloadSpec } from './topology.js';

export interface ProvisionedWorkload extends WorkloadSpec {
  vmUuid: string;
  vmiUuid: string;
  vnUuid: string;
  projectUuid: string;
  mac: string;
  ip: string;
  gateway: string;
}

export interface Provisioned {
  projectUuid: string;
  networks: Map<string, { uuid: string; vni: number | undefined; spec: NetworkSpec }>;
  policyUuid: string;
  virtualRouters: Map<string, string>;
  workloads: ProvisionedWorkload[];
}

const anyPort = [{ start_port: -1, end_port: -1 }];

/** The network-policy entries: vn-red may open TCP connections to vn-blue on one port, nothing else. */
export function policyEntries(t: Topology, tcpPort: number): Record<string, unknown> {
  const vn = (n: string) => projectFq(t, n).join(':');
  return {
    policy_rule: [
      {
        direction: '>',
        protocol: 'tcp',
        src_addresses: [{ virtual_network: vn(t.policy.from) }],
        dst_addresses: [{ virtual_network: vn(t.policy.to) }],
        src_ports: anyPort,
        dst_ports: [{ start_port: tcpPort, end_port: tcpPort }],
        action_list: { simple_action: 'pass' },
      },
    ],
  };
}

export async function provision(
  api: ControllerApi,
  t: Topology,
  step: (what: string) => void,
): Promise<Provisioned> {
  step(`project ${t.domain}:${t.project}`);
  const project = await api.ensure('project', { fq_name: [t.domain, t.project], parent_type: 'domain' });
  const ipamFq = projectFq(t, t.ipam);
  await api.ensure('network-ipam', { fq_name: ipamFq, parent_type: 'project' });

  step(`network-policy ${t.policy.name} (${t.policy.from} -> ${t.policy.to} tcp/${t.policy.tcpPort} only)`);
  const policyFq = projectFq(t, t.policy.name);
  const policy = await api.ensure('network-policy', {
    fq_name: policyFq,
    parent_type: 'project',
    network_policy_entries: policyEntries(t, t.policy.tcpPort),
  });

  const networks: Provisioned['networks'] = new Map();
  for (const n of t.networks) {
    step(`virtual-network ${n.name} ${n.subnet}/${n.prefixLen} (VNI ${n.vni})`);
    const vn = await api.ensure('virtual-network', {
      fq_name: projectFq(t, n.name),
      parent_type: 'project',
      virtual_network_properties: { vxlan_network_identifier: n.vni, forwarding_mode: 'l2_l3' },
      network_ipam_refs: [
        {
          to: ipamFq,
          attr: { ipam_subnets: [{ subnet: { ip_prefix: n.subnet, ip_prefix_len: n.prefixLen } }] },
        },
      ],
      network_policy_refs: [{ to: policyFq, attr: { sequence: { major: 0, minor: 0 } } }],
    });
    const props = vn.virtual_network_properties as { vxlan_network_identifier?: number } | undefined;
    networks.set(n.name, { uuid: vn.uuid, vni: props?.vxlan_network_identifier, spec: n });
  }

  const virtualRouters = new Map<string, string>();
  for (const a of t.agents) {
    step(`virtual-router ${a.name} (${a.underlay})`);
    const vr = await api.ensure('virtual-router', {
      fq_name: ['default-global-system-config', a.name],
      parent_type: 'global-system-config',
      virtual_router_ip_address: a.underlay,
    });
    if (vr.virtual_router_ip_address !== a.underlay)
      await api.update('virtual-router', vr.uuid, { virtual_router_ip_address: a.underlay });
    virtualRouters.set(a.name, vr.uuid);
  }

  const prov: Provisioned = {
    projectUuid: project.uuid,
    networks,
    policyUuid: policy.uuid,
    virtualRouters,
    workloads: [],
  };
  for (const w of t.workloads) {
    step(`workload ${w.name}: virtual-machine, interface, instance-ip on ${w.network}, placed on ${w.agent}`);
    prov.workloads.push(await provisionWorkload(api, t, prov, w));
  }
  return prov;
}

/**
 * One workload: its virtual-machine (fq_name = its stable uuid), interface on the network (MAC allocated),
 * instance-ip (address allocated) and the ref from its agent's virtual-router that places it there.
 */
export async function provisionWorkload(
  api: ControllerApi,
  t: Topology,
  prov: Provisioned,
  w: WorkloadSpec,
): Promise<ProvisionedWorkload> {
  const vmUuid = stableUuid(`vm:${w.name}`);
  const vnFq = projectFq(t, w.network);
  await api.ensure('virtual-machine', { fq_name: [vmUuid], uuid: vmUuid, display_name: w.name });
  const vmi = await api.ensure('virtual-machine-interface', {
    fq_name: projectFq(t, `${w.name}-eth0`),
    parent_type: 'project',
    display_name: `${w.name}-eth0`,
    virtual_network_refs: [{ to: vnFq }],
    virtual_machine_refs: [{ uuid: vmUuid }],
    virtual_machine_interface_bindings: { key_value_pair: [{ key: 'host_id', value: w.agent }] },
  });
  const iip = await api.ensure('instance-ip', {
    fq_name: [`${w.name}-eth0-v4`],
    instance_ip_family: 'v4',
    virtual_network_refs: [{ to: vnFq }],
    virtual_machine_interface_refs: [{ uuid: vmi.uuid }],
  });
  const vrUuid = prov.virtualRouters.get(w.agent);
  const vn = prov.networks.get(w.network);
  if (vrUuid === undefined || vn === undefined)
    throw new LabError(
      'ERR_LAB_TOPOLOGY',
      `workload ${w.name}: no agent ${w.agent} or network ${w.network} in the lab`,
    );
  const vr = await api.get('virtual-router', vrUuid);
  const placed = ((vr.virtual_machine_refs as { uuid: string }[] | undefined) ?? []).some(
    (r) => r.uuid === vmUuid,
  );
  if (!placed) await api.refUpdate('virtual-router', vrUuid, 'virtual-machine', vmUuid, 'ADD');
  return {
    ...w,
    vmUuid,
    vmiUuid: vmi.uuid,
    vnUuid: vn.uuid,
    projectUuid: prov.projectUuid,
    mac: macOf(vmi),
    ip: iip.instance_ip_address as string,
    gateway: await gatewayOf(api, vn.uuid),
  };
}

function macOf(vmi: TfObject): string {
  const macs = (vmi.virtual_machine_interface_mac_addresses as { mac_address?: string[] } | undefined)
    ?.mac_address;
  return macs?.[0] ?? '';
}

async function gatewayOf(api: ControllerApi, vnUuid: string): Promise<string> {
  const vn = await api.get('virtual-network', vnUuid);
  const refs = vn.network_ipam_refs as
    | { attr?: { ipam_subnets?: { default_gateway?: string }[] } }[]
    | undefined;
  return refs?.[0]?.attr?.ipam_subnets?.[0]?.default_gateway ?? '';
}

/** Replaces the policy's allowed TCP port (the policy check changes reachability through the API). */
export async function setPolicyPort(
  api: ControllerApi,
  t: Topology,
  policyUuid: string,
  tcpPort: number,
): Promise<void> {
  await api.update('network-policy', policyUuid, { network_policy_entries: policyEntries(t, tcpPort) });
}
