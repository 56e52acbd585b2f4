// RFC 6514 5: P-Multicast Service Interface Tunnel, PMSI_TUNNEL (type 22, optional transitive); in EVPN
// (RFC 7432 11.2) it carries Ingress Replication with the originating router's IP as tunnel identifier.
// The 3-octet label field is a 20-bit MPLS label in its high bits under MPLS, but a 24-bit VNI under VXLAN
// (RFC 8365 5.1.3): `labelField` keeps it raw, `pmsiMplsLabel` / `pmsiVni` give the two readings.
// A value shorter than 5 octets is treat-as-withdraw (RFC 7606 8 guidance for route-selecting attributes).
//
//  +---------------------------------+
//  |  Flags (1 octet)   L = 0x01     |
//  +---------------------------------+
//  |  Tunnel Type (1 octet)          |
//  +---------------------------------+
//  |  MPLS Label (3 octets)          |
//  +---------------------------------+
//  |  Tunnel Identifier (variable)   |
//  +---------------------------------+
import { checkUint, ipText, u24, type Writer } from '../wire.js';
import { attrError, OPTIONAL_ATTRIBUTE_ERROR } from './error.js';

/** RFC 6514 5 / IANA "P-Multicast Service Interface Tunnel (PMSI Tunnel) Tunnel Types". */
export const PmsiTunnelType = {
  NO_TUNNEL_INFO: 0,
  RSVP_TE_P2MP: 1,
  MLDP_P2MP: 2,
  PIM_SSM: 3,
  PIM_SM: 4,
  BIDIR_PIM: 5,
  INGRESS_REPLICATION: 6,
  MLDP_MP2MP: 7,
} as const;

export interface PmsiTunnelAttr {
  type: 'PMSI_TUNNEL';
  flags?: number;
  /** The PMSI flags octet (bit 0x01 Leaf Information Required). */
  pmsiFlags: number;
  tunnelType: number;
  /** The raw 24-bit label field. */
  labelField: number;
  tunnelId: Uint8Array;
}

export function decodePmsiTunnel(buf: Uint8Array, o: number, len: number): PmsiTunnelAttr {
  if (len < 5)
    throw attrError('PMSI_TUNNEL', o, `length ${len} < 5`, 'treat-as-withdraw', OPTIONAL_ATTRIBUTE_ERROR);
  return {
    type: 'PMSI_TUNNEL',
    pmsiFlags: buf[o]!,
    tunnelType: buf[o + 1]!,
    labelField: u24(buf, o + 2),
    tunnelId: buf.slice(o + 5, o + len),
  };
}

export function encodePmsiTunnel(a: PmsiTunnelAttr, w: Writer): void {
  checkUint('attribute:PMSI_TUNNEL', 'pmsiFlags', a.pmsiFlags, 0xff);
  checkUint('attribute:PMSI_TUNNEL', 'tunnelType', a.tunnelType, 0xff);
  checkUint('attribute:PMSI_TUNNEL', 'labelField', a.labelField, 0xffffff);
  w.u8(a.pmsiFlags).u8(a.tunnelType).u24(a.labelField).bytes(a.tunnelId);
}

/** The label field read as an MPLS label (high 20 bits). */
export function pmsiMplsLabel(a: PmsiTunnelAttr): number {
  return a.labelField >>> 4;
}

/** The label field read as a VXLAN VNI (all 24 bits, RFC 8365 5.1.3). */
export function pmsiVni(a: PmsiTunnelAttr): number {
  return a.labelField;
}

/** The tunnel endpoint of Ingress Replication (a 4- or 16-byte address), else undefined. */
export function pmsiTunnelEndpoint(a: PmsiTunnelAttr): string | undefined {
  if (a.tunnelType !== PmsiTunnelType.INGRESS_REPLICATION) return undefined;
  if (a.tunnelId.length !== 4 && a.tunnelId.length !== 16) return undefined;
  return ipText(a.tunnelId, 0, a.tunnelId.length);
}
