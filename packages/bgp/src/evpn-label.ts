// The 3-octet EVPN label field (RFC 7432 7, RFC 9136 3.1, and the ESI label / E-tree communities).
//
// Under MPLS it holds an MPLS label entry without TTL (RFC 3032 2.1 minus the TTL octet):
//
//    0                   1                   2
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                Label                  | TC  |S|
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Under VXLAN, NVGRE and VXLAN-GPE (RFC 8365 section 5.1.3) the same three octets are a 24-bit VNI/VSID:
//
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                      VNI                      |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The field does not say which: the encapsulation extended community of the route does (RFC 9012 tunnel
// type 8 VXLAN, 9 NVGRE, 12 VXLAN-GPE -> VNI; 10 MPLS, 11 MPLS-in-GRE, 13 MPLS-in-UDP, or no encapsulation
// community at all (RFC 7432's default) -> MPLS label). Real speakers disagree (seen in this package's
// wire tests, test/nlri-gobgp.test.ts and test/nlri-frr.test.ts):
//   - GoBGP 3.10 writes `label N` as the raw 24 bits whatever the encapsulation (VNI 1001 is 0x0003e9,
//     also under `encap mpls`, where the MPLS reading is 62) and prints the raw 24 bits;
//   - FRR 8.4 writes `network ... label 5000` of an EVPN type-5 route as an MPLS label entry,
//     5000 << 4 | S = 0x013881, with no encapsulation community; yet when FRR receives 0x013881 with
//     encapsulation VXLAN it shows VNI 80001, as gobgp does;
//   - tshark 4.0 shows the type-1/2 label fields as MPLS labels (raw >>> 4) and the type-5 one raw.
// So a decoded field exposes all three views: `raw` (the 24 bits), `label` (raw >>> 4, the MPLS reading)
// and `vni` (raw, the RFC 8365 reading), and `evpnLabelReading`/`evpnServiceLabels` pick the one the
// route's encapsulation calls for (with an opt-in for FRR's MPLS-encoded VNIs).
import type { ExtendedCommunity } from './attributes/extended-community.js';
import { isMplsTunnel, isVniTunnel } from './attributes/extended-community-types.js';
import { EncodeError } from './errors.js';

/** One 3-octet EVPN label field with both readings. Encoders use `raw` only. */
export interface EvpnLabel {
  /** The 24 bits as on the wire. */
  readonly raw: number;
  /** MPLS reading: the high-order 20 bits (raw >>> 4). */
  readonly label: number;
  /** VXLAN/NVGRE reading (RFC 8365 5.1.3): all 24 bits. */
  readonly vni: number;
}

/** The field for 24 raw bits. */
export function evpnLabel(raw: number): EvpnLabel {
  if (!Number.isInteger(raw) || raw < 0 || raw > 0xffffff) {
    throw new EncodeError('evpn-label', 'raw', -1, `${String(raw)} is outside 0..0xffffff`);
  }
  return { raw, label: raw >>> 4, vni: raw };
}

/** The field for an MPLS label (20 bits), with the bottom-of-stack bit set unless `bos` is false. */
export function evpnLabelFromMpls(label: number, bos = true): EvpnLabel {
  if (!Number.isInteger(label) || label < 0 || label > 0xfffff) {
    throw new EncodeError('evpn-label', 'label', -1, `${String(label)} is outside 0..0xfffff`);
  }
  return evpnLabel(label * 16 + (bos ? 1 : 0));
}

/** The field for a 24-bit VNI (RFC 8365 5.1.3). */
export function evpnLabelFromVni(vni: number): EvpnLabel {
  return evpnLabel(vni);
}

/** Reads 3 octets at `offset` (the caller has checked they are there). */
export function readEvpnLabel(buf: Uint8Array, offset: number): EvpnLabel {
  const raw = (buf[offset]! << 16) | (buf[offset + 1]! << 8) | buf[offset + 2]!;
  return { raw, label: raw >>> 4, vni: raw };
}

/** Writes `l.raw` as 3 octets at `offset`. */
export function writeEvpnLabel(l: EvpnLabel, buf: Uint8Array, offset: number): void {
  const raw = l.raw;
  if (!Number.isInteger(raw) || raw < 0 || raw > 0xffffff) {
    throw new EncodeError('evpn-label', 'raw', -1, `${String(raw)} is outside 0..0xffffff`);
  }
  buf[offset] = raw >>> 16;
  buf[offset + 1] = (raw >>> 8) & 0xff;
  buf[offset + 2] = raw & 0xff;
}

/**
 * Which reading of the EVPN label field the route's extended communities call for:
 * - `vni` when an encapsulation community names VXLAN (8), NVGRE (9) or VXLAN-GPE (12) and none names an
 *   MPLS encapsulation;
 * - `mpls` when one names MPLS (10), MPLS-in-GRE (11) or MPLS-in-UDP (13) and none a VNI encapsulation,
 *   or when there is no encapsulation community (RFC 7432's MPLS default, RFC 8365 5.1.3);
 * - `ambiguous` when both kinds are advertised (RFC 8365 8.3.1 leaves the choice to the receiver; such
 *   routes carry the same value for both in practice, so read `vni` for VXLAN and `label` for MPLS).
 */
export function evpnLabelReading(communities: readonly ExtendedCommunity[]): 'vni' | 'mpls' | 'ambiguous' {
  let vni = false;
  let mpls = false;
  for (const c of communities) {
    if (c.kind !== 'encapsulation') continue;
    if (isVniTunnel(c.tunnelType)) vni = true;
    else if (isMplsTunnel(c.tunnelType)) mpls = true;
  }
  if (vni && mpls) return 'ambiguous';
  return vni ? 'vni' : 'mpls';
}

/** An EVPN route, as far as its label fields go. */
export interface EvpnLabelled {
  readonly type: string;
  readonly label?: EvpnLabel;
  readonly label1?: EvpnLabel;
  readonly label2?: EvpnLabel;
}

/** The label fields of an EVPN route in wire order: type 1 and 5 have one, type 2 one or two, others none. */
export function evpnLabelFields(route: EvpnLabelled): EvpnLabel[] {
  const out: EvpnLabel[] = [];
  if (route.label) out.push(route.label);
  if (route.label1) out.push(route.label1);
  if (route.label2) out.push(route.label2);
  return out;
}

/**
 * The service identifiers an EVPN route carries, read as its encapsulation says: VNIs (24 bits) under
 * VXLAN/NVGRE/VXLAN-GPE, MPLS labels (20 bits) otherwise; `ambiguous` routes are read as VNIs.
 * With `{ mplsEncodedVni: true }` a VNI-encapsulated field whose low nibble is the bottom-of-stack bit
 * alone (0x1) is read as `raw >>> 4`, which recovers what FRR meant by `label 5000` (0x013881).
 */
export function evpnServiceLabels(
  route: EvpnLabelled,
  communities: readonly ExtendedCommunity[],
  opts: { mplsEncodedVni?: boolean } = {},
): { reading: 'vni' | 'mpls'; values: number[] } {
  const r = evpnLabelReading(communities);
  const reading = r === 'mpls' ? 'mpls' : 'vni';
  const values = evpnLabelFields(route).map((l) => {
    if (reading === 'mpls') return l.label;
    return opts.mplsEncodedVni && (l.raw & 0xf) === 1 ? l.label : l.vni;
  });
  return { reading, values };
}
