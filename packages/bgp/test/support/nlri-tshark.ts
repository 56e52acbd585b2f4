// tshark's dissection of BGP UPDATEs compared with our decoding of the same bytes, field by field
// (Wireshark packet-bgp.c field names as of tshark 4.0), shared by the NLRI wire tests.
import { Address4, Address6 } from 'ip-address';
import { expect } from 'vitest';
import {
  decodeExtendedCommunities,
  decodeNlri,
  type EvpnRoute,
  type ExtendedCommunity,
  encodeExtendedCommunities,
  encodeNlri,
  encodeRd,
  type Family,
  formatRd,
  type Nlri,
  type RtcNlri,
} from '../../src/index.js';
import { mpNlri, updateMessage, walkUpdate } from './nlri-peer.js';

/** An UPDATE (ORIGIN, AS_PATH, MP_REACH_NLRI, EXTENDED_COMMUNITIES) carrying `nlri` with our encodings. */
export function updateFor(
  family: Family,
  list: readonly Nlri[],
  communities: readonly ExtendedCommunity[],
): Uint8Array {
  const s = { family, nlri: list, communities };
  const nlri = encodeNlri(s.family, s.nlri, { addPath: false });
  const nh =
    s.family.afi === 2 && s.family.safi !== 128
      ? new Uint8Array(16)
      : s.family.safi === 128
        ? new Uint8Array(s.family.afi === 2 ? 24 : 12)
        : Uint8Array.of(10, 255, 0, 1);
  const mp = Uint8Array.from([
    s.family.afi >> 8,
    s.family.afi & 0xff,
    s.family.safi,
    nh.length,
    ...nh,
    0,
    ...nlri,
  ]);
  const attrs: { flags: number; code: number; value: Uint8Array }[] = [
    { flags: 0x40, code: 1, value: Uint8Array.of(2) },
    { flags: 0x40, code: 2, value: Uint8Array.of(2, 1, 0, 0, 0xfd, 0xe9) },
    { flags: 0x80, code: 14, value: mp },
  ];
  if (s.communities.length > 0)
    attrs.push({ flags: 0xc0, code: 16, value: encodeExtendedCommunities(s.communities) });
  return updateMessage(attrs);
}

/** Every value of a tshark JSON field (by exact key) anywhere under `node`, in document order. */
function collect(node: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(node)) for (const n of node) collect(n, key, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) out.push(v);
      collect(v, key, out);
    }
  }
  return out;
}

/** The subtrees of `node` that hold `key`, in document order (not descending into them). */
function trees(node: unknown, key: string, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(node)) for (const n of node) trees(n, key, out);
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (key in o) out.push(o);
    else for (const v of Object.values(o)) trees(v, key, out);
  }
  return out;
}

const colonHex = (b: Uint8Array) =>
  Buffer.from(b)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1:');

/**
 * Compares tshark's dissection of one UPDATE with our decoding of the same bytes, field by field; returns
 * how many fields were compared.
 */
export function checkPacket(
  packet: Record<string, unknown>,
  msg: Uint8Array,
  addPath: (f: Family) => boolean = () => false,
): number {
  let n = 0;
  const eq = (theirs: unknown, ours: unknown, what: string) => {
    expect(String(theirs), what).toBe(String(ours));
    n++;
  };
  // tshark prints IPv4-compatible IPv6 addresses as `::0.12.0.0`; we print RFC 5952 text (`::c:0`).
  // Both are compared as the address they name, through ip-address's canonical form.
  const ipEq = (theirs: unknown, ours: string, what: string) => {
    const canon = (t: string) => (t.includes(':') ? new Address6(t).canonicalForm() : t);
    expect(canon(String(theirs)), what).toBe(canon(ours));
    n++;
  };
  // tshark shows a VPN/labeled prefix with the bits past its length cleared; we keep them as sent.
  const prefixEq = (theirs: unknown, ours: string, what: string) => {
    const [a, len] = ours.split('/');
    const masked = a!.includes(':')
      ? new Address6(`${a}/${len}`).startAddress().canonicalForm()
      : new Address4(`${a}/${len}`).startAddress().correctForm();
    ipEq(theirs, masked, what);
  };
  const u = walkUpdate(msg);
  const routes: Nlri[] = [];
  for (const a of u.attrs) {
    if (a.code !== 14 && a.code !== 15) continue;
    const r = mpNlri(msg, a);
    routes.push(...decodeNlri(r.family, msg, r.start, r.end, { addPath: addPath(r.family) }));
  }
  // EVPN (tshark packet-bgp.c decode_evpn_nlri).
  const evpn = routes.filter((r): r is EvpnRoute => r.type.startsWith('evpn-'));
  const evpnTrees = trees(packet, 'bgp.evpn.nlri.rt');
  expect(evpnTrees.length).toBe(evpn.length);
  evpn.forEach((r, i) => {
    const t = evpnTrees[i]!;
    eq(t['bgp.evpn.nlri.rt'], r.routeType, 'route type');
    if (r.type === 'evpn-unknown') return;
    eq(t['bgp.evpn.nlri.rd'], colonHex(encodeRd(r.rd)), 'rd');
    if ('esi' in r) eq(t['bgp.evpn.nlri.esi'], r.esi, 'esi');
    if ('ethernetTag' in r) eq(t['bgp.evpn.nlri.etag'], r.ethernetTag, 'etag');
    const addr = (v: string) => t[v.includes(':') ? 'bgp.evpn.nlri.ipv6.addr' : 'bgp.evpn.nlri.ip.addr'];
    switch (r.type) {
      case 'evpn-ethernet-ad':
        eq(t['bgp.evpn.nlri.mpls_ls1'], r.label.label, 'label');
        break;
      case 'evpn-mac-ip':
        eq(t['bgp.evpn.nlri.mac_addr'], r.mac, 'mac');
        eq(t['bgp.evpn.nlri.iplen'], r.ip === undefined ? 0 : r.ip.includes(':') ? 128 : 32, 'ip length');
        if (r.ip !== undefined) ipEq(addr(r.ip), r.ip, 'ip');
        // tshark reads the type-2 label fields as MPLS labels (raw >>> 4).
        eq(t['bgp.evpn.nlri.mpls_ls1'], r.label1.label, 'label1');
        if (r.label2) eq(t['bgp.evpn.nlri.mpls_ls2'], r.label2.label, 'label2');
        break;
      case 'evpn-inclusive-multicast':
      case 'evpn-ethernet-segment':
        ipEq(addr(r.originator), r.originator, 'originator');
        break;
      case 'evpn-ip-prefix': {
        const [a, len] = r.prefix.split('/');
        eq(t['bgp.evpn.nlri.prefix_len'], len, 'prefix length');
        ipEq(addr(a!), a!, 'prefix');
        eq(
          t[a!.includes(':') ? 'bgp.evpn.nlri.ipv6.gtw_addr' : 'bgp.evpn.nlri.ipv4.gtw_addr'],
          r.gateway,
          'gateway',
        );
        // ...but the type-5 label field as its raw 24 bits.
        const lv = trees(t, 'bgp.update.path_attribute.mpls_label_value')[0];
        eq(lv?.['bgp.update.path_attribute.mpls_label_value'], r.label.raw, 'type-5 label');
        break;
      }
    }
  });
  // VPN, labeled and RTC prefixes, compared as sequences of each field: tshark 4.0 nests VPNv6 NLRI
  // differently (one subtree whose repeated keys become arrays), and shows their RD and prefix as text.
  const flat = (key: string) =>
    collect(packet, key)
      .flatMap((v) => (Array.isArray(v) ? v : [v]))
      .map(String);
  const others = routes.filter((r) => r.type === 'vpn' || r.type === 'labeled' || r.type === 'rtc');
  const stacked = others.filter((r) => r.type !== 'rtc' && r.withdrawLabel === undefined) as {
    labels: number[];
  }[];
  const stacks = flat('bgp.label_stack').map((t) => (t.match(/\d+/g) ?? []).join(','));
  eq(stacks.join(' '), stacked.map((r) => r.labels.join(',')).join(' '), 'label stacks');
  const vpns = others.filter((r) => r.type === 'vpn');
  const rds = flat('bgp.rd');
  // tshark writes a type-2 RD without our `L` marker.
  if (rds.length > 0) eq(rds.join(' '), vpns.map((r) => formatRd(r.rd).replace(/L:/, ':')).join(' '), 'rds');
  const v4 = [...flat('bgp.mp_reach_nlri_ipv4_prefix'), ...flat('bgp.mp_unreach_nlri_ipv4_prefix')];
  const v6 = [...flat('bgp.mp_reach_nlri_ipv6_prefix'), ...flat('bgp.mp_unreach_nlri_ipv6_prefix')];
  // Plain unicast prefixes share tshark's field names but not its layout (`::/0` has no address item).
  const plain = routes.some((r) => r.type === 'prefix');
  const prefixed = others.filter((r) => r.type !== 'rtc') as { prefix: string }[];
  const ours4 = prefixed.filter((r) => !r.prefix.includes(':'));
  const ours6 = prefixed.filter((r) => r.prefix.includes(':'));
  if (!plain) expect(v4.length).toBe(ours4.length);
  if (!plain) for (const [i, t] of v4.entries()) prefixEq(t, ours4[i]!.prefix, 'prefix');
  if (v6.length > 0 && !plain) {
    expect(v6.length).toBe(ours6.length);
    for (const [i, t] of v6.entries()) prefixEq(t, ours6[i]!.prefix, 'prefix');
  }
  const rtcs = others.filter((r) => r.type === 'rtc' && r.originAs !== undefined) as RtcNlri[];
  eq(flat('bgp.originating_as').join(' '), rtcs.map((r) => r.originAs).join(' '), 'origin AS');
  const full = rtcs.filter((r) => r.prefixLength === 96 && r.routeTarget?.kind === 'route-target');
  const shownRts = flat('bgp.community_prefix');
  full.forEach((r) => {
    const rt = r.routeTarget as Extract<ExtendedCommunity, { kind: 'route-target' }>;
    const text = rt.form === 'ipv4' ? `${rt.ip}:${rt.local}` : `${rt.asn}:${rt.local}`;
    expect(shownRts).toContain(text);
    n++;
  });
  // Extended communities (tshark dissect_bgp_update_ext_com).
  const ext = u.attrs.find((a) => a.code === 16);
  const comms = ext ? decodeExtendedCommunities(msg, ext.offset, ext.length) : [];
  const ct = trees(packet, 'bgp.ext_com.type');
  expect(ct.length).toBe(comms.length);
  comms.forEach((c, i) => {
    const t = ct[i]!;
    const b = encodeExtendedCommunities([c]);
    eq(t['bgp.ext_com.type'], `0x${b[0]!.toString(16).padStart(2, '0')}`, 'type');
    const sub = Object.entries(t).find(([k]) => k.startsWith('bgp.ext_com.stype'))?.[1];
    if (sub !== undefined) eq(sub, `0x${b[1]!.toString(16).padStart(2, '0')}`, 'subtype');
    // Communities tshark shows only as bytes: the 6 value octets, as a 64-bit hex number.
    if ('bgp.ext_com.value_raw' in t) {
      eq(t['bgp.ext_com.value_raw'], `0x0000${Buffer.from(b.subarray(2)).toString('hex')}`, 'raw value');
    }
    switch (c.kind) {
      case 'route-target':
      case 'route-origin':
        if (c.form === 'as2') {
          eq(t['bgp.ext_com.value_as2'], c.asn, 'as');
          eq(t['bgp.ext_com.value_an4'], c.local, 'number');
        } else if (c.form === 'as4') {
          eq(t['bgp.ext_com.value_as4'], c.asn, 'as');
          eq(t['bgp.ext_com.value_an2'], c.local, 'number');
        } else {
          eq(t['bgp.ext_com.value_IP4'], c.ip, 'ip');
          eq(t['bgp.ext_com.value_an2'], c.local, 'number');
        }
        break;
      case 'source-as':
        eq(t[c.form === 'as2' ? 'bgp.ext_com.value_as2' : 'bgp.ext_com.value_as4'], c.asn, 'source as');
        break;
      case 'vrf-route-import':
        eq(t['bgp.ext_com.value_IP4'], c.ip, 'ip');
        eq(t['bgp.ext_com.value_an2'], c.local, 'number');
        break;
      case 'link-bandwidth':
        eq(t['bgp.ext_com.value_as2'], c.asn, 'as');
        if ('bgp.ext_com.value_link_bw' in t) {
          // tshark prints the float with %g (6 significant digits).
          const shown = Number(t['bgp.ext_com.value_link_bw']);
          if (Number.isFinite(c.bandwidth) && c.bandwidth !== 0) {
            expect(Math.abs(shown - c.bandwidth) / Math.abs(c.bandwidth)).toBeLessThan(1e-5);
            n++;
          }
        }
        break;
      case 'mac-mobility':
        eq(t['bgp.ext_com_evpn.mmac.seq'], c.sequence, 'mac mobility sequence');
        eq(
          trees(t, 'bgp.ext_com_evpn.mmac.flags.sticky')[0]?.['bgp.ext_com_evpn.mmac.flags.sticky'],
          c.sticky ? 1 : 0,
          'sticky',
        );
        break;
      case 'e-tree':
        eq(
          trees(t, 'bgp.ext_com_evpn.etree.flag_l')[0]?.['bgp.ext_com_evpn.etree.flag_l'],
          c.leaf ? 1 : 0,
          'leaf',
        );
        break;
      case 'encapsulation':
        eq(t['bgp.ext_com.tunnel_type'], c.tunnelType, 'tunnel type');
        break;
      case 'router-mac':
        eq(t['bgp.ext_com_evpn.esi.router_mac'], c.mac, 'router mac');
        break;
      case 'es-import':
        eq(t['bgp.ext_com_evpn.esi.rt'], c.mac, 'es-import');
        break;
      case 'esi-label':
        eq(t['bgp.update.path_attribute.mpls_label_value'], c.label.raw, 'esi label');
        eq(t['bgp.ext_com_l2.esi_label_flag'], c.singleActive ? 1 : 0, 'esi label flags');
        break;
    }
  });
  return n;
}
