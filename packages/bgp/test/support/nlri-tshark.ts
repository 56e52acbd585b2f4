// tshark's dissection of BGP UPDATEs compared with our decoding of the same bytes, field by field
// (Wireshark packet-bgp.c field names as of tshark 4.0), shared by the NLRI wire tests.
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
export function checkPacket(packet: Record<string, unknown>, msg: Uint8Array): number {
  let n = 0;
  const eq = (theirs: unknown, ours: unknown, what: string) => {
    expect(String(theirs), what).toBe(String(ours));
    n++;
  };
  const u = walkUpdate(msg);
  const routes: Nlri[] = [];
  for (const a of u.attrs) {
    if (a.code !== 14 && a.code !== 15) continue;
    const r = mpNlri(msg, a);
    routes.push(...decodeNlri(r.family, msg, r.start, r.end, { addPath: false }));
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
        if (r.ip !== undefined) eq(addr(r.ip), r.ip, 'ip');
        // tshark reads the type-2 label fields as MPLS labels (raw >>> 4).
        eq(t['bgp.evpn.nlri.mpls_ls1'], r.label1.label, 'label1');
        if (r.label2) eq(t['bgp.evpn.nlri.mpls_ls2'], r.label2.label, 'label2');
        break;
      case 'evpn-inclusive-multicast':
      case 'evpn-ethernet-segment':
        eq(addr(r.originator), r.originator, 'originator');
        break;
      case 'evpn-ip-prefix': {
        const [a, len] = r.prefix.split('/');
        eq(t['bgp.evpn.nlri.prefix_len'], len, 'prefix length');
        eq(addr(a!), a, 'prefix');
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
  // VPN, labeled and RTC prefixes. tshark 4.0 shows VPNv6 NLRI as a label stack only (RD and prefix are
  // text items there), so each field is compared where tshark has it.
  const others = routes.filter((r) => r.type === 'vpn' || r.type === 'labeled' || r.type === 'rtc');
  const mp: Record<string, unknown>[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if ('bgp.label_stack' in o || 'bgp.originating_as' in o || ('bgp.prefix_length' in o && 'bgp.rd' in o))
        mp.push(o);
      else Object.values(o).forEach(walk);
    }
  };
  walk(packet);
  const rtcDefault = others.filter((r) => r.type === 'rtc' && r.prefixLength === 0).length;
  expect(mp.length, JSON.stringify(others)).toBe(others.length - rtcDefault);
  others.forEach((r, i) => {
    const t = mp[i]!;
    if (r.type === 'rtc') {
      eq(t['bgp.prefix_length'], r.prefixLength, 'rtc length');
      if (r.originAs !== undefined) eq(t['bgp.originating_as'], r.originAs, 'origin AS');
      if (r.routeTarget?.kind === 'route-target' && r.routeTarget.form === 'as2') {
        eq(t['bgp.community_prefix'], `${r.routeTarget.asn}:${r.routeTarget.local}`, 'route target');
      }
      return;
    }
    if (r.type === 'vpn' && 'bgp.rd' in t) eq(t['bgp.rd'], formatRd(r.rd), 'rd');
    const stack = String(t['bgp.label_stack']).match(/\d+/g)?.map(Number) ?? [];
    if (r.withdrawLabel === undefined) eq(stack.join(','), r.labels.join(','), 'labels');
    const [a] = r.prefix.split('/');
    const v6 = a!.includes(':');
    const shown =
      t[v6 ? 'bgp.mp_reach_nlri_ipv6_prefix' : 'bgp.mp_reach_nlri_ipv4_prefix'] ??
      t[v6 ? 'bgp.mp_unreach_nlri_ipv6_prefix' : 'bgp.mp_unreach_nlri_ipv4_prefix'];
    if (shown !== undefined || !(r.type === 'vpn' && v6)) eq(shown, a, 'prefix');
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
    switch (c.kind) {
      case 'route-target':
        if (c.form === 'as2') {
          eq(t['bgp.ext_com.value_as2'], c.asn, 'rt as');
          eq(t['bgp.ext_com.value_an4'], c.local, 'rt number');
        }
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
