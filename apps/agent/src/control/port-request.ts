// The port API's request body (TF's vrouter-port-control / Nova VIF plug: `POST /port` on the agent's
// port 9091), checked field by field; `workload` and `listen` are Filament's extensions.

import { isIPv4, isIPv6 } from 'node:net';
import { PortRequestError } from './errors.js';

export type WorkloadKind = 'in-process' | 'tap';

export interface PortRequest {
  /** The virtual-machine-interface uuid. */
  id: string;
  /** The virtual-machine uuid. */
  instanceId: string;
  displayName: string;
  ipAddress: string;
  ip6Address: string;
  vnId: string;
  vmProjectId: string;
  macAddress: string;
  /** The TAP (or other host) interface name. */
  systemName: string;
  type: number;
  rxVlanId: number;
  txVlanId: number;
  workload: { kind: WorkloadKind };
  /** In-process workloads: TCP/UDP echo ports (default [7]). */
  listen: number[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
/** Linux interface names: at most 15 bytes, no '/', no whitespace. */
const IFNAME = /^[A-Za-z0-9_.:-]{1,15}$/;

type Obj = Record<string, unknown>;

function str(o: Obj, key: string, required: boolean): string {
  const v = o[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw new PortRequestError(key, 'required');
    return '';
  }
  if (typeof v !== 'string') throw new PortRequestError(key, 'must be a string');
  if (v.length > 1024) throw new PortRequestError(key, 'longer than 1024 characters');
  return v;
}

function int(o: Obj, key: string, dflt: number, min: number, max: number): number {
  const v = o[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new PortRequestError(key, `must be an integer in ${min}..${max}`);
  return v;
}

/** Checks a decoded JSON body; throws PortRequestError naming the first bad field. */
export function parsePortRequest(body: unknown): PortRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new PortRequestError('body', 'must be a JSON object');
  const o = body as Obj;
  const id = str(o, 'id', true);
  if (!UUID.test(id)) throw new PortRequestError('id', 'must be a uuid');
  const instanceId = str(o, 'instance-id', true);
  if (!UUID.test(instanceId)) throw new PortRequestError('instance-id', 'must be a uuid');
  const macAddress = str(o, 'mac-address', true).toLowerCase();
  if (!MAC.test(macAddress))
    throw new PortRequestError('mac-address', 'must be a MAC address xx:xx:xx:xx:xx:xx');
  const ipAddress = str(o, 'ip-address', false);
  if (ipAddress !== '' && !isIPv4(ipAddress))
    throw new PortRequestError('ip-address', 'must be an IPv4 address');
  const ip6Address = str(o, 'ip6-address', false);
  if (ip6Address !== '' && !isIPv6(ip6Address))
    throw new PortRequestError('ip6-address', 'must be an IPv6 address');
  const vnId = str(o, 'vn-id', false);
  if (vnId !== '' && !UUID.test(vnId)) throw new PortRequestError('vn-id', 'must be a uuid');
  const vmProjectId = str(o, 'vm-project-id', false);
  // Nova sends the project id without dashes.
  if (vmProjectId !== '' && !/^[0-9a-f-]{32,36}$/i.test(vmProjectId))
    throw new PortRequestError('vm-project-id', 'must be a uuid');
  const systemName = str(o, 'system-name', false);
  if (systemName !== '' && !IFNAME.test(systemName))
    throw new PortRequestError(
      'system-name',
      'must be an interface name of 1..15 characters [A-Za-z0-9_.:-]',
    );
  const w = o.workload;
  let kind: WorkloadKind = 'in-process';
  if (w !== undefined && w !== null) {
    if (typeof w !== 'object' || Array.isArray(w))
      throw new PortRequestError('workload', 'must be an object');
    const k = (w as Obj).kind;
    if (k !== 'in-process' && k !== 'tap')
      throw new PortRequestError('workload.kind', 'must be "in-process" or "tap"');
    kind = k;
  }
  if (kind === 'tap' && systemName === '')
    throw new PortRequestError('system-name', 'required for a tap workload (the TAP device name)');
  let listen = [7];
  if (o.listen !== undefined && o.listen !== null) {
    if (!Array.isArray(o.listen) || o.listen.length > 64)
      throw new PortRequestError('listen', 'must be an array of at most 64 ports');
    listen = o.listen.map((p, i) => {
      if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535)
        throw new PortRequestError(`listen[${i}]`, 'must be a port number 1..65535');
      return p;
    });
  }
  return {
    id: id.toLowerCase(),
    instanceId: instanceId.toLowerCase(),
    displayName: str(o, 'display-name', false),
    ipAddress,
    ip6Address,
    vnId,
    vmProjectId,
    macAddress,
    systemName,
    type: int(o, 'type', 0, 0, 255),
    rxVlanId: int(o, 'rx-vlan-id', -1, -1, 4094),
    txVlanId: int(o, 'tx-vlan-id', -1, -1, 4094),
    workload: { kind },
    listen,
  };
}

/** The request in the API's own JSON form (what `GET /ports` returns and the port file stores). */
export function portRequestJson(p: PortRequest): Record<string, unknown> {
  return {
    id: p.id,
    'instance-id': p.instanceId,
    'display-name': p.displayName,
    'ip-address': p.ipAddress,
    'ip6-address': p.ip6Address,
    'vn-id': p.vnId,
    'vm-project-id': p.vmProjectId,
    'mac-address': p.macAddress,
    'system-name': p.systemName,
    type: p.type,
    'rx-vlan-id': p.rxVlanId,
    'tx-vlan-id': p.txVlanId,
    workload: { kind: p.workload.kind },
    listen: p.listen,
  };
}
