// A workload with the kernel's own IP stack, attached to an agent in this process: a TAP device (the port's
// frames go to it, its frames go to `Forwarder.fromPort`) moved into a namespace of its own with the port's
// MAC, address, MTU and default route. What the lab does through the port API, done in process for tests.
import type { AclMatcher } from '@filament/policy';
import type { Agent, Port } from '../src/index.js';
import { openTap, type TapDevice } from '../src/tap/index.js';
import type { NetnsLab } from './netns.js';

export interface TapWorkloadSpec {
  /** Port name on the agent, and the tag of the device and namespace (keep it short: 4 characters). */
  name: string;
  vrf: string;
  mac: string;
  address: string;
  prefixLen: number;
  gateway: string;
  /** MTU inside the namespace (default 1450, what the agent's DHCP would hand out under VXLAN). */
  mtu?: number;
  acl?: AclMatcher | null;
}

export interface TapWorkload {
  spec: TapWorkloadSpec;
  /** The namespace the workload's device lives in. */
  ns: string;
  device: TapDevice;
  port: Port;
  /** Detaches the port and closes the device (the lab deletes the namespace). */
  detach: () => Promise<void>;
}

export async function attachTapWorkload(
  lab: NetnsLab,
  agent: Agent,
  spec: TapWorkloadSpec,
): Promise<TapWorkload> {
  const devName = `t${spec.name}${process.pid}`;
  let index = -1;
  const device = await openTap(devName, () => {}, {
    // Frames that arrive before the port exists (the kernel's router solicitations...) are dropped here.
    onFrameAt: (buf, off, len) => {
      if (index >= 0) agent.fw.fromPort(index, buf, off, len);
    },
  });
  let port: Port | undefined;
  try {
    port = agent.addPort({
      name: spec.name,
      vrf: spec.vrf,
      mac: spec.mac,
      ipam: {
        address: spec.address,
        prefixLen: spec.prefixLen,
        gateway: spec.gateway,
        dns: [spec.gateway],
        mtu: spec.mtu ?? 1450,
      },
      acl: spec.acl ?? null,
      deliver: (buf, off, len) => device.send(buf, off, len),
    });
    index = port.index;
    const ns = lab.addNamespace(spec.name);
    lab.moveTo(device.name, ns);
    lab.configure(ns, device.name, {
      mac: spec.mac,
      mtu: spec.mtu ?? 1450,
      addresses: [`${spec.address}/${spec.prefixLen}`],
      gateway: spec.gateway,
    });
    return {
      spec,
      ns,
      device,
      port: port,
      detach: async () => {
        index = -1;
        agent.deletePort(spec.name);
        await device.close();
      },
    };
  } catch (e) {
    if (port !== undefined) agent.deletePort(spec.name);
    await device.close();
    throw e;
  }
}
