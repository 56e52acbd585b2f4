// Field-by-field comparison of this library's decoding with tshark's BGP dissection (Wireshark 4.0, software
// none of us wrote). A capture is split into TCP streams, each direction reassembled and cut into BGP
// messages, every message decoded with the session context its connection negotiated; tshark dissects
// the same file (`-d tcp.port==P,bgp`), and for every field name in FIELDS the list of values tshark shows
// in one message must equal the list computed here from our decoded value (absent on both sides is equal).
import { readFileSync } from 'node:fs';
import { pcapPackets } from '@filament/encap';
import { tsharkJson } from '@filament/testkit';
import { TcpDirection } from '../../../../tools/cli/src/tcp-reassembly.js';
import {
  attributeCode,
  attributeFlags,
  type BgpMessage,
  type Capability,
  type DecodedMessage,
  decodeMessage,
  type ExtendedCommunity,
  encodeExtendedCommunities,
  encodeRd,
  formatRd,
  type MpNextHop,
  type Nlri,
  type OpenMessage,
  openCapabilities,
  type PathAttribute,
  type RouteDistinguisher,
  type SessionContext,
  sessionContext,
} from '../../src/index.js';

/** One BGP message as it crossed the wire. */
export interface WireMessage {
  /** `src:port>dst:port` of its direction. */
  direction: string;
  bytes: Uint8Array;
  decoded: DecodedMessage;
  /** The context it was decoded with. */
  ctx: SessionContext;
}

const ipText = (b: Uint8Array, o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

/** Reassembles every TCP direction of an Ethernet or Linux-cooked pcap and returns the payload bytes. */
export function tcpStreams(file: string): Map<string, Uint8Array> {
  const dirs = new Map<string, { tcp: TcpDirection; chunks: Uint8Array[] }>();
  for (const p of pcapPackets(new Uint8Array(readFileSync(file)))) {
    const d = p.data;
    let ip: number;
    if (p.linktype === 1) ip = 14;
    else if (p.linktype === 113) ip = 16;
    else throw new Error(`linktype ${p.linktype} not handled`);
    if (d[ip - 2] !== 0x08 || d[ip - 1] !== 0x00 || d[ip]! >> 4 !== 4 || d[ip + 9] !== 6) continue;
    const ihl = (d[ip]! & 0x0f) * 4;
    const total = (d[ip + 2]! << 8) | d[ip + 3]!;
    const t = ip + ihl;
    const sport = (d[t]! << 8) | d[t + 1]!;
    const dport = (d[t + 2]! << 8) | d[t + 3]!;
    const seq = ((d[t + 4]! << 24) | (d[t + 5]! << 16) | (d[t + 6]! << 8) | d[t + 7]!) >>> 0;
    const off = (d[t + 12]! >> 4) * 4;
    const syn = (d[t + 13]! & 0x02) !== 0;
    const key = `${ipText(d, ip + 12)}:${sport}>${ipText(d, ip + 16)}:${dport}`;
    let e = dirs.get(key);
    if (!e || (syn && e.chunks.length > 0)) {
      // a new connection on the same 4-tuple starts a new stream
      if (e) dirs.set(`${key}#${dirs.size}`, e);
      e = { tcp: new TcpDirection(), chunks: [] };
      dirs.set(key, e);
    }
    e.chunks.push(...e.tcp.push(seq, d.subarray(t + off, ip + total), syn));
  }
  const out = new Map<string, Uint8Array>();
  for (const [k, e] of dirs) out.set(k, Buffer.concat(e.chunks));
  return out;
}

function cut(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o + 19 <= bytes.length; ) {
    const len = (bytes[o + 16]! << 8) | bytes[o + 17]!;
    if (len < 19 || o + len > bytes.length) break;
    out.push(bytes.subarray(o, o + len));
    o += len;
  }
  return out;
}

const peerOf = (direction: string) => direction.split('#')[0]!.split('>').reverse().join('>');

/**
 * The session context of one direction: 4-octet AS when both OPENs carry capability 65, add-path for the
 * families this side may send and the other receive (RFC 7911 4).
 */
function contextOf(mine: OpenMessage | undefined, theirs: OpenMessage | undefined): SessionContext {
  const caps = (m: OpenMessage | undefined): Capability[] => (m ? openCapabilities(m) : []);
  const a = caps(mine);
  const b = caps(theirs);
  // a capture that starts after the OPENs is read as 4-octet AS (what every current speaker negotiates)
  const as4 =
    !mine ||
    !theirs ||
    (a.some((c) => c.type === 'four-octet-as') && b.some((c) => c.type === 'four-octet-as'));
  const addPath: { afi: number; safi: number }[] = [];
  for (const c of a) {
    if (c.type !== 'add-path') continue;
    for (const f of c.families) {
      if (f.mode === 'receive') continue;
      const peer = b.flatMap((x) => (x.type === 'add-path' ? x.families : []));
      if (peer.some((p) => p.afi === f.afi && p.safi === f.safi && p.mode !== 'send')) addPath.push(f);
    }
  }
  return sessionContext({ fourOctetAs: as4, addPath });
}

/** Every BGP message of every TCP stream of `file` whose ports include one of `ports`, decoded. */
export function wireMessages(file: string, ports: readonly number[]): WireMessage[] {
  const streams = [...tcpStreams(file)].filter(([k]) =>
    ports.some((p) => k.split('#')[0]!.split(/[:>]/).includes(String(p))),
  );
  const opens = new Map<string, OpenMessage>();
  const cutStreams = streams.map(([k, b]) => [k, cut(b)] as const);
  for (const [k, msgs] of cutStreams) {
    const first = msgs[0];
    if (first && first[18] === 1) opens.set(k, decodeMessage(first).message as OpenMessage);
  }
  const out: WireMessage[] = [];
  for (const [k, msgs] of cutStreams) {
    const ctx = contextOf(opens.get(k), opens.get(peerOf(k)));
    for (const bytes of msgs) out.push({ direction: k, bytes, decoded: decodeMessage(bytes, 0, ctx), ctx });
  }
  return out;
}

/** tshark's dissection of one BGP message: each field name with its values in document order. */
export type Fields = Map<string, string[]>;

function flatten(o: unknown, out: Fields): void {
  if (Array.isArray(o)) {
    for (const x of o) flatten(x, out);
    return;
  }
  if (o === null || typeof o !== 'object') return;
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    const values = Array.isArray(v) ? v : [v];
    for (const x of values) {
      if (typeof x === 'string') {
        const list = out.get(k);
        if (list) list.push(x);
        else out.set(k, [x]);
      } else flatten(x, out);
    }
  }
}

/** tshark's BGP messages per direction (`src:port>dst:port`), in stream order. */
export function tsharkMessages(file: string, ports: readonly number[]): Map<string, Fields[]> {
  const packets = tsharkJson(file, ports.flatMap((p) => ['-d', `tcp.port==${p},bgp`]).concat(['-Y', 'bgp']));
  const out = new Map<string, Fields[]>();
  for (const p of packets) {
    const ip = p.ip as Record<string, string> | undefined;
    const tcp = p.tcp as Record<string, string> | undefined;
    if (!ip || !tcp) continue;
    const key = `${ip['ip.src']}:${tcp['tcp.srcport']}>${ip['ip.dst']}:${tcp['tcp.dstport']}`;
    const bgp = p.bgp;
    const list = out.get(key) ?? [];
    const frame = (p.frame as Record<string, string> | undefined)?.['frame.number'] ?? '';
    for (const m of Array.isArray(bgp) ? bgp : [bgp]) {
      const f: Fields = new Map();
      flatten(m, f);
      f.set('frame', [frame]);
      list.push(f);
    }
    out.set(key, list);
    // malformed-packet and expert entries, anywhere in the packet's BGP layer or at its top
    const ws: Fields = new Map();
    flatten([bgp, { _ws: p._ws }], ws);
    // expert severities: chat 0x200000 and note 0x400000 are informational ("IP Address: NOT INCLUDED"
    // for a MAC-only EVPN route, "helper mode only" for graceful restart); warning 0x600000 and error
    // 0x800000 are not
    const severe = (ws.get('_ws.expert.severity') ?? []).some((v) => Number(v) >= 0x600000);
    if (ws.has('_ws.malformed') || severe) {
      list[list.length - 1]!.set(
        '_ws',
        [...ws].map(([k, v]) => `${k}=${v.join('/')}`),
      );
    }
  }
  return out;
}

/** The fields compared, for every message. */
export const FIELDS = [
  'bgp.length',
  'bgp.type',
  'bgp.open.version',
  'bgp.open.myas',
  'bgp.open.holdtime',
  'bgp.open.identifier',
  'bgp.cap.type',
  'bgp.cap.mp.afi',
  'bgp.cap.mp.safi',
  'bgp.cap.4as',
  'bgp.cap.gr.timers.restart_flag',
  'bgp.cap.gr.timers.notification_flag',
  'bgp.cap.gr.timers.restart_time',
  'bgp.cap.gr.afi',
  'bgp.cap.gr.safi',
  'bgp.cap.ap.afi',
  'bgp.cap.ap.safi',
  'bgp.cap.ap.sendreceive',
  'bgp.cap.enh.afi',
  'bgp.cap.enh.safi',
  'bgp.cap.enh.nhafi',
  'bgp.cap.orf.fqdn.hostname',
  'bgp.cap.orf.fqdn.domain_name',
  'bgp.cap.unknown',
  'bgp.update.withdrawn_routes.length',
  'bgp.update.path_attributes.length',
  'bgp.update.path_attribute.type_code',
  'bgp.update.path_attribute.flags',
  'bgp.update.path_attribute.origin',
  'bgp.update.path_attribute.as_path_segment.type',
  'bgp.update.path_attribute.as_path_segment.as4',
  'bgp.update.path_attribute.as_path_segment.as2',
  'bgp.update.path_attribute.next_hop',
  'bgp.update.path_attribute.multi_exit_disc',
  'bgp.update.path_attribute.local_pref',
  'bgp.update.path_attribute.originator_id',
  'bgp.path_attribute.cluster_id',
  'bgp.update.path_attribute.community_as',
  'bgp.update.path_attribute.community_value',
  'bgp.large_communities.ga',
  'bgp.large_communities.ldp1',
  'bgp.large_communities.ldp2',
  'bgp.ext_com.type',
  'bgp.ext_com.stype_tr_as2',
  'bgp.ext_com.stype_tr_IP4',
  'bgp.ext_com.stype_tr_as4',
  'bgp.ext_com.stype_tr_opaque',
  'bgp.ext_com.stype_tr_evpn',
  'bgp.ext_com.value_as2',
  'bgp.ext_com.value_as4',
  'bgp.ext_com.value_IP4',
  'bgp.ext_com.value_an2',
  'bgp.ext_com.value_an4',
  'bgp.ext_com.tunnel_type',
  'bgp.ext_com_evpn.esi.router_mac',
  'bgp.ext_com_evpn.mmac.flags.sticky',
  'bgp.ext_com_evpn.mmac.seq',
  'bgp.ext_com_evpn.esi.rt',
  'bgp.ext_com_l2.esi_label_flag',
  'bgp.update.path_attribute.mpls_label_value',
  'bgp.update.path_attribute.mpls_label_value_20bits',
  'bgp.update.path_attribute.mpls_bottom_stack',
  'bgp.update.path_attribute.pmsi.tunnel.flags',
  'bgp.update.path_attribute.pmsi.tunnel.type',
  'bgp.update.path_attribute.pmsi.ingress_rep_ip',
  'bgp.evpn.nlri.vni',
  'bgp.update.attribute.aigp.accu_igp_metric',
  'bgp.update.path_attribute.mp_reach_nlri.afi',
  'bgp.update.path_attribute.mp_reach_nlri.safi',
  'bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv4',
  'bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6',
  'bgp.update.path_attribute.mp_reach_nlri.next_hop.rd',
  'bgp.update.path_attribute.mp_unreach_nlri.afi',
  'bgp.update.path_attribute.mp_unreach_nlri.safi',
  'bgp.withdrawn_prefix',
  'bgp.nlri_prefix',
  'bgp.mp_reach_nlri_ipv4_prefix',
  'bgp.mp_unreach_nlri_ipv4_prefix',
  'bgp.mp_reach_nlri_ipv6_prefix',
  'bgp.mp_unreach_nlri_ipv6_prefix',
  'bgp.rd',
  'bgp.label_stack',
  'bgp.originating_as',
  'bgp.community_prefix',
  'bgp.wildcard_route_target',
  'bgp.evpn.nlri.rt',
  'bgp.evpn.nlri.rd',
  'bgp.evpn.nlri.esi',
  'bgp.evpn.nlri.etag',
  'bgp.evpn.nlri.mac_addr',
  'bgp.evpn.nlri.ip.addr',
  'bgp.evpn.nlri.ipv6.addr',
  'bgp.evpn.nlri.prefix_len',
  'bgp.evpn.nlri.ipv4.gtw_addr',
  'bgp.evpn.nlri.ipv6.gtw_addr',
  'bgp.evpn.nlri.mpls_ls1',
  'bgp.evpn.nlri.mpls_ls2',
  'bgp.notify.major_error',
  'bgp.notify.minor_error_cease',
  'bgp.route_refresh.afi',
  'bgp.route_refresh.subtype',
  'bgp.route_refresh.safi',
] as const;

const hex = (b: Uint8Array, sep = ':') => [...b].map((x) => x.toString(16).padStart(2, '0')).join(sep);
const hex2 = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

const capCode: Record<string, number> = {
  multiprotocol: 1,
  'route-refresh': 2,
  'extended-next-hop': 5,
  'extended-message': 6,
  role: 9,
  'graceful-restart': 64,
  'four-octet-as': 65,
  'add-path': 69,
  'enhanced-route-refresh': 70,
  'long-lived-graceful-restart': 71,
  fqdn: 73,
};

/**
 * tshark 4.0 reads the EVPN label fields (NLRI and PMSI tunnel) as VNIs once it has dissected a VXLAN
 * encapsulation extended community earlier in the same frame, even in an earlier UPDATE of that frame
 * (its state is per packet, not per UPDATE), and as MPLS labels otherwise. `vxlan` models that state.
 */
class Out {
  vxlan = false;
  readonly m: Fields = new Map();
  add(k: (typeof FIELDS)[number], ...v: (string | number | bigint)[]): void {
    const l = this.m.get(k) ?? [];
    l.push(...v.map(String));
    this.m.set(k, l);
  }
}

function openFields(m: OpenMessage, o: Out): void {
  o.add('bgp.open.version', m.version);
  o.add('bgp.open.myas', m.myAs);
  o.add('bgp.open.holdtime', m.holdTime);
  o.add('bgp.open.identifier', m.bgpId);
  for (const c of openCapabilities(m)) {
    o.add('bgp.cap.type', c.type === 'unknown' ? c.code : capCode[c.type]!);
    switch (c.type) {
      case 'multiprotocol':
        o.add('bgp.cap.mp.afi', c.afi);
        o.add('bgp.cap.mp.safi', c.safi);
        break;
      case 'four-octet-as':
        o.add('bgp.cap.4as', c.asn);
        break;
      case 'graceful-restart':
        o.add('bgp.cap.gr.timers.restart_flag', c.restartState ? 1 : 0);
        o.add('bgp.cap.gr.timers.notification_flag', c.notification ? 1 : 0);
        o.add('bgp.cap.gr.timers.restart_time', c.restartTime);
        for (const f of c.families) {
          o.add('bgp.cap.gr.afi', f.afi);
          o.add('bgp.cap.gr.safi', f.safi);
        }
        break;
      case 'add-path':
        for (const f of c.families) {
          o.add('bgp.cap.ap.afi', f.afi);
          o.add('bgp.cap.ap.safi', f.safi);
          o.add('bgp.cap.ap.sendreceive', { receive: 1, send: 2, both: 3 }[f.mode]);
        }
        break;
      case 'extended-next-hop':
        for (const e of c.entries) {
          o.add('bgp.cap.enh.afi', e.afi);
          o.add('bgp.cap.enh.safi', e.safi);
          o.add('bgp.cap.enh.nhafi', e.nextHopAfi);
        }
        break;
      case 'fqdn':
        o.add('bgp.cap.orf.fqdn.hostname', c.hostname);
        o.add('bgp.cap.orf.fqdn.domain_name', c.domain);
        break;
      case 'long-lived-graceful-restart': {
        // unknown to tshark 4.0: shown as its raw value
        const b = new Uint8Array(c.families.length * 7);
        c.families.forEach((f, i) => {
          b.set(
            [
              f.afi >> 8,
              f.afi & 0xff,
              f.safi,
              f.forwardingPreserved ? 0x80 : 0,
              f.staleTime >>> 16,
              (f.staleTime >> 8) & 0xff,
              f.staleTime & 0xff,
            ],
            i * 7,
          );
        });
        if (b.length > 0) o.add('bgp.cap.unknown', hex(b));
        break;
      }
      case 'role':
        o.add('bgp.cap.unknown', hex2(c.role).slice(2));
        break;
      case 'unknown':
        if (c.code !== 128 && c.value.length > 0) o.add('bgp.cap.unknown', hex(c.value));
        break;
      default:
        break;
    }
  }
}

/** RD as tshark prints it in VPN NLRI (`65001:100`, `1.1.1.1:100`). */
const rdText = (rd: RouteDistinguisher) => formatRd(rd);

function nextHopFields(afi: number, safi: number, nh: MpNextHop, o: Out): void {
  if (nh.kind === 'raw') return;
  if (nh.kind === 'vpn') o.add('bgp.update.path_attribute.mp_reach_nlri.next_hop.rd', '0:0');
  const v6 = nh.address.includes(':');
  o.add(`bgp.update.path_attribute.mp_reach_nlri.next_hop.${v6 ? 'ipv6' : 'ipv4'}`, nh.address);
  void afi;
  void safi;
}

/**
 * tshark's label stack text: `16,17 (bottom)`; a withdrawal's label field (0x800000 or 0, RFC 8277 2.4)
 * as `0 (withdrawn)`.
 */
function labelStackText(labels: readonly number[], withdrawLabel: number | undefined): string {
  if (labels.length === 0)
    return `${withdrawLabel === 0x800000 || !withdrawLabel ? 0 : withdrawLabel} (withdrawn)`;
  return `${labels.join(',')} (bottom)`;
}

function prefixAddr(p: string): string {
  return p.split('/')[0]!;
}

function nlriFields(afi: number, reach: boolean, list: readonly Nlri[], o: Out): void {
  const v = afi === 2 ? 'ipv6' : 'ipv4';
  for (const n of list) {
    switch (n.type) {
      case 'prefix':
        o.add(`bgp.${reach ? 'mp_reach' : 'mp_unreach'}_nlri_${v}_prefix`, prefixAddr(n.prefix));
        break;
      case 'labeled':
        o.add('bgp.label_stack', labelStackText(n.labels, n.withdrawLabel));
        o.add(`bgp.${reach ? 'mp_reach' : 'mp_unreach'}_nlri_${v}_prefix`, prefixAddr(n.prefix));
        break;
      case 'vpn':
        o.add('bgp.label_stack', labelStackText(n.labels, n.withdrawLabel));
        // tshark 4.0 shows a VPNv6 NLRI's RD and prefix only in its text line, not as fields
        if (afi === 2) break;
        o.add('bgp.rd', rdText(n.rd));
        o.add(`bgp.${reach ? 'mp_reach' : 'mp_unreach'}_nlri_${v}_prefix`, prefixAddr(n.prefix));
        break;
      case 'rtc':
        // tshark 4.0 shows the origin AS and, for a whole route target (/96), its value; for a shorter
        // prefix its Community Prefix reads past the NLRI, so that field is left out
        if (n.prefixLength === 0)
          o.add('bgp.wildcard_route_target', `${reach ? 'MP Reach' : 'MP Unreach'} NLRI`);
        if (n.originAs !== undefined) o.add('bgp.originating_as', n.originAs);
        if (n.prefixLength === 96 && n.routeTarget && 'local' in n.routeTarget) {
          const rt = n.routeTarget;
          o.add('bgp.community_prefix', `${'ip' in rt ? rt.ip : 'asn' in rt ? rt.asn : ''}:${rt.local}`);
        }
        break;
      case 'evpn-ethernet-ad':
        o.add('bgp.evpn.nlri.rt', 1);
        o.add('bgp.evpn.nlri.rd', hex(encodeRd(n.rd)));
        o.add('bgp.evpn.nlri.esi', n.esi);
        o.add('bgp.evpn.nlri.etag', n.ethernetTag);
        evpnLabelField(o, n.label.raw, 'bgp.evpn.nlri.mpls_ls1');
        break;
      case 'evpn-mac-ip':
        o.add('bgp.evpn.nlri.rt', 2);
        o.add('bgp.evpn.nlri.rd', hex(encodeRd(n.rd)));
        o.add('bgp.evpn.nlri.esi', n.esi);
        o.add('bgp.evpn.nlri.etag', n.ethernetTag);
        o.add('bgp.evpn.nlri.mac_addr', n.mac);
        if (n.ip !== undefined)
          o.add(n.ip.includes(':') ? 'bgp.evpn.nlri.ipv6.addr' : 'bgp.evpn.nlri.ip.addr', n.ip);
        evpnLabelField(o, n.label1.raw, 'bgp.evpn.nlri.mpls_ls1');
        if (n.label2) evpnLabelField(o, n.label2.raw, 'bgp.evpn.nlri.mpls_ls2');
        break;
      case 'evpn-inclusive-multicast':
        o.add('bgp.evpn.nlri.rt', 3);
        o.add('bgp.evpn.nlri.rd', hex(encodeRd(n.rd)));
        o.add('bgp.evpn.nlri.etag', n.ethernetTag);
        o.add(n.originator.includes(':') ? 'bgp.evpn.nlri.ipv6.addr' : 'bgp.evpn.nlri.ip.addr', n.originator);
        break;
      case 'evpn-ethernet-segment':
        o.add('bgp.evpn.nlri.rt', 4);
        o.add('bgp.evpn.nlri.rd', hex(encodeRd(n.rd)));
        o.add('bgp.evpn.nlri.esi', n.esi);
        o.add(n.originator.includes(':') ? 'bgp.evpn.nlri.ipv6.addr' : 'bgp.evpn.nlri.ip.addr', n.originator);
        break;
      case 'evpn-ip-prefix': {
        const v6 = n.prefix.includes(':');
        o.add('bgp.evpn.nlri.rt', 5);
        o.add('bgp.evpn.nlri.rd', hex(encodeRd(n.rd)));
        o.add('bgp.evpn.nlri.esi', n.esi);
        o.add('bgp.evpn.nlri.etag', n.ethernetTag);
        o.add('bgp.evpn.nlri.prefix_len', n.prefix.split('/')[1]!);
        o.add(v6 ? 'bgp.evpn.nlri.ipv6.addr' : 'bgp.evpn.nlri.ip.addr', prefixAddr(n.prefix));
        o.add(v6 ? 'bgp.evpn.nlri.ipv6.gtw_addr' : 'bgp.evpn.nlri.ipv4.gtw_addr', n.gateway);
        // read as a VNI, or (MPLS reading) shown as its 24 raw bits
        if (o.vxlan) o.add('bgp.evpn.nlri.vni', n.label.raw);
        else o.add('bgp.update.path_attribute.mpls_label_value', n.label.raw);
        break;
      }
      default:
        break;
    }
  }
}

function evpnLabelField(
  o: Out,
  raw: number,
  mpls: 'bgp.evpn.nlri.mpls_ls1' | 'bgp.evpn.nlri.mpls_ls2',
): void {
  if (o.vxlan) o.add('bgp.evpn.nlri.vni', raw);
  else o.add(mpls, raw >>> 4);
}

function extCommunityFields(list: readonly ExtendedCommunity[], o: Out): void {
  const bytes = encodeExtendedCommunities(list);
  list.forEach((c, i) => {
    const type = bytes[i * 8]!;
    const sub = bytes[i * 8 + 1]!;
    o.add('bgp.ext_com.type', hex2(type));
    switch (c.kind) {
      case 'route-target':
      case 'route-origin':
        if (c.form === 'as2') {
          o.add('bgp.ext_com.stype_tr_as2', hex2(sub));
          o.add('bgp.ext_com.value_as2', c.asn);
          o.add('bgp.ext_com.value_an4', c.local);
        } else if (c.form === 'ipv4') {
          o.add('bgp.ext_com.stype_tr_IP4', hex2(sub));
          o.add('bgp.ext_com.value_IP4', c.ip);
          o.add('bgp.ext_com.value_an2', c.local);
        } else {
          o.add('bgp.ext_com.stype_tr_as4', hex2(sub));
          o.add('bgp.ext_com.value_as4', c.asn);
          o.add('bgp.ext_com.value_an2', c.local);
        }
        break;
      case 'encapsulation':
        o.add('bgp.ext_com.stype_tr_opaque', hex2(sub));
        o.add('bgp.ext_com.tunnel_type', c.tunnelType);
        o.vxlan = c.tunnelType === 8;
        break;
      case 'router-mac':
        o.add('bgp.ext_com.stype_tr_evpn', hex2(sub));
        o.add('bgp.ext_com_evpn.esi.router_mac', c.mac);
        break;
      case 'esi-label':
        o.add('bgp.ext_com.stype_tr_evpn', hex2(sub));
        o.add('bgp.ext_com_l2.esi_label_flag', c.singleActive ? 1 : 0);
        o.add('bgp.update.path_attribute.mpls_label_value', c.label.raw);
        o.add('bgp.update.path_attribute.mpls_label_value_20bits', c.label.label);
        o.add('bgp.update.path_attribute.mpls_bottom_stack', c.label.raw & 1);
        break;
      case 'mac-mobility':
        o.add('bgp.ext_com.stype_tr_evpn', hex2(sub));
        o.add('bgp.ext_com_evpn.mmac.flags.sticky', c.sticky ? 1 : 0);
        o.add('bgp.ext_com_evpn.mmac.seq', c.sequence);
        break;
      case 'es-import':
        o.add('bgp.ext_com.stype_tr_evpn', hex2(sub));
        o.add('bgp.ext_com_evpn.esi.rt', c.mac);
        break;
      case 'default-gateway':
        o.add('bgp.ext_com.stype_tr_opaque', hex2(sub));
        break;
      default:
        break;
    }
  });
}

const segmentType = { set: 1, sequence: 2, 'confed-sequence': 3, 'confed-set': 4 } as const;

function attributeFields(a: PathAttribute, o: Out, ctx: { as4: boolean }): void {
  o.add('bgp.update.path_attribute.type_code', attributeCode(a));
  o.add('bgp.update.path_attribute.flags', hex2(attributeFlags(a)));
  switch (a.type) {
    case 'ORIGIN':
      o.add('bgp.update.path_attribute.origin', { igp: 0, egp: 1, incomplete: 2 }[a.origin]);
      break;
    case 'AS_PATH':
      for (const s of a.segments) {
        o.add(
          'bgp.update.path_attribute.as_path_segment.type',
          {
            set: 1,
            sequence: 2,
            'confed-sequence': 3,
            'confed-set': 4,
          }[s.type],
        );
        for (const asn of s.asns)
          o.add(`bgp.update.path_attribute.as_path_segment.${ctx.as4 ? 'as4' : 'as2'}`, asn);
      }
      break;
    case 'AS4_PATH':
      for (const s of a.segments) {
        o.add('bgp.update.path_attribute.as_path_segment.type', segmentType[s.type]);
        o.add('bgp.update.path_attribute.as_path_segment.as4', ...s.asns);
      }
      break;
    case 'NEXT_HOP':
      o.add('bgp.update.path_attribute.next_hop', a.nextHop);
      break;
    case 'MULTI_EXIT_DISC':
      o.add('bgp.update.path_attribute.multi_exit_disc', a.med);
      break;
    case 'LOCAL_PREF':
      o.add('bgp.update.path_attribute.local_pref', a.localPref);
      break;
    case 'ORIGINATOR_ID':
      o.add('bgp.update.path_attribute.originator_id', a.originatorId);
      break;
    case 'CLUSTER_LIST':
      o.add('bgp.path_attribute.cluster_id', ...a.clusterIds);
      break;
    case 'COMMUNITIES':
      for (const c of a.communities) {
        if (c >>> 16 === 0xffff || c >>> 16 === 0) continue; // well-known: a different field
        o.add('bgp.update.path_attribute.community_as', c >>> 16);
        o.add('bgp.update.path_attribute.community_value', c & 0xffff);
      }
      break;
    case 'LARGE_COMMUNITY':
      for (const c of a.communities) {
        o.add('bgp.large_communities.ga', c.global);
        o.add('bgp.large_communities.ldp1', c.local1);
        o.add('bgp.large_communities.ldp2', c.local2);
      }
      break;
    case 'EXTENDED_COMMUNITIES':
      extCommunityFields(a.communities, o);
      break;
    case 'PMSI_TUNNEL':
      o.add('bgp.update.path_attribute.pmsi.tunnel.flags', a.pmsiFlags);
      o.add('bgp.update.path_attribute.pmsi.tunnel.type', a.tunnelType);
      if (a.tunnelType === 6) {
        if (o.vxlan) o.add('bgp.evpn.nlri.vni', a.labelField);
        else o.add('bgp.update.path_attribute.mpls_label_value_20bits', a.labelField >>> 4);
        o.add('bgp.update.path_attribute.pmsi.ingress_rep_ip', ipText(a.tunnelId, 0));
      }
      break;
    case 'AIGP':
      for (const t of a.tlvs) if ('metric' in t) o.add('bgp.update.attribute.aigp.accu_igp_metric', t.metric);
      break;
    case 'MP_REACH_NLRI':
      o.add('bgp.update.path_attribute.mp_reach_nlri.afi', a.afi);
      o.add('bgp.update.path_attribute.mp_reach_nlri.safi', a.safi);
      nextHopFields(a.afi, a.safi, a.nextHop, o);
      nlriFields(a.afi, true, a.nlri, o);
      break;
    case 'MP_UNREACH_NLRI':
      o.add('bgp.update.path_attribute.mp_unreach_nlri.afi', a.afi);
      o.add('bgp.update.path_attribute.mp_unreach_nlri.safi', a.safi);
      nlriFields(a.afi, false, a.withdrawn, o);
      break;
    default:
      break;
  }
}

/** The values of FIELDS our decoding of `w` predicts tshark shows. */
export function expectedFields(
  w: WireMessage,
  as4: boolean,
  vxlan = false,
): { fields: Fields; vxlan: boolean } {
  const o = new Out();
  o.vxlan = vxlan;
  const m: BgpMessage = w.decoded.message;
  o.add('bgp.length', w.bytes.length);
  o.add('bgp.type', w.bytes[18]!);
  switch (m.type) {
    case 'open':
      openFields(m, o);
      break;
    case 'update': {
      const wlen = (w.bytes[19]! << 8) | w.bytes[20]!;
      o.add('bgp.update.withdrawn_routes.length', wlen);
      o.add('bgp.update.path_attributes.length', (w.bytes[21 + wlen]! << 8) | w.bytes[22 + wlen]!);
      for (const n of m.withdrawn)
        if (n.type === 'prefix') o.add('bgp.withdrawn_prefix', prefixAddr(n.prefix));
      for (const a of m.attributes) attributeFields(a, o, { as4 });
      for (const n of m.nlri) if (n.type === 'prefix') o.add('bgp.nlri_prefix', prefixAddr(n.prefix));
      break;
    }
    case 'notification':
      o.add('bgp.notify.major_error', m.code);
      if (m.code === 6) o.add('bgp.notify.minor_error_cease', m.subcode);
      break;
    case 'route-refresh':
      o.add('bgp.route_refresh.afi', m.afi);
      o.add('bgp.route_refresh.subtype', m.subtype);
      o.add('bgp.route_refresh.safi', m.safi);
      break;
    default:
      break;
  }
  return { fields: o.m, vxlan: o.vxlan };
}

/** tshark's values for FIELDS, from its dissection of one message. */
export function pickFields(f: Fields): Fields {
  const out: Fields = new Map();
  for (const k of FIELDS) {
    const v = f.get(k);
    if (v) out.set(k, v);
  }
  return out;
}

export interface Comparison {
  /** Messages compared, by BGP type name. */
  counts: Record<string, number>;
  /** `direction #index field: ours ... tshark ...` for every difference. */
  differences: string[];
  /** RFC 7606 problems our decoder reported (none are expected on real speakers' messages). */
  problems: string[];
  /** tshark's malformed / expert entries. */
  tsharkErrors: string[];
  messages: WireMessage[];
}

/** Decodes every BGP message of the capture and compares it with tshark's dissection. */
export function compareCapture(file: string, ports: readonly number[]): Comparison {
  const ours = wireMessages(file, ports);
  const theirs = tsharkMessages(file, ports);
  const counts: Record<string, number> = {};
  const differences: string[] = [];
  const problems: string[] = [];
  const tsharkErrors: string[] = [];
  const byDir = new Map<string, WireMessage[]>();
  for (const w of ours) {
    const d = w.direction.split('#')[0]!;
    byDir.set(d, [...(byDir.get(d) ?? []), w]);
  }
  for (const [dir, list] of byDir) {
    const t = theirs.get(dir) ?? [];
    if (t.length !== list.length) differences.push(`${dir}: ${list.length} messages, tshark ${t.length}`);
    let frame = '';
    let vxlan = false;
    list.forEach((w, i) => {
      counts[w.decoded.message.type] = (counts[w.decoded.message.type] ?? 0) + 1;
      for (const p of w.decoded.problems)
        problems.push(`${dir} #${i}: ${p.attribute} ${p.action} ${p.reason}`);
      const tf = t[i];
      if (!tf) return;
      if (tf.has('_ws')) tsharkErrors.push(`${dir} #${i}: ${tf.get('_ws')!.join()}`);
      const f = tf.get('frame')![0]!;
      if (f !== frame) vxlan = false;
      frame = f;
      const e = expectedFields(w, w.ctx.fourOctetAs, vxlan);
      vxlan = e.vxlan;
      const exp = e.fields;
      const got = pickFields(tf);
      for (const k of FIELDS) {
        const a = (exp.get(k) ?? []).join(' | ');
        const b = (got.get(k) ?? []).join(' | ');
        if (a !== b)
          differences.push(`${dir} #${i} ${w.decoded.message.type} ${k}: ours [${a}] tshark [${b}]`);
      }
    });
  }
  for (const [dir, t] of theirs) {
    if (!byDir.has(dir)) differences.push(`${dir}: tshark shows ${t.length} messages we did not find`);
  }
  return { counts, differences, problems, tsharkErrors, messages: ours };
}
