// The BGP speaker: peers (peer.ts), one Loc-RIB per AFI/SAFI with the decision process, and the flow
// between them: UPDATEs from a peer -> RFC 7606 handling -> Adj-RIB-In -> import policy and loop checks
// -> Loc-RIB -> best path changes -> export rules (iBGP/eBGP, route reflection, RT constraint, export
// policy) -> each peer's Adj-RIB-Out. Also local route injection, route refresh, graceful restart,
// End-of-RIB, and the event API. IPv4 unicast prefixes in the UPDATE's own fields are read in place
// (number keys, one Path object per route, attribute sets shared); other families go through the codec.
import type { Server, Socket } from 'node:net';
import { Afi, type Family, familyKey, familyName, Safi } from '../afi-safi.js';
import type { PathAttribute } from '../attributes/index.js';
import type { Capability } from '../capabilities/index.js';
import { BgpError, type NotificationSpec } from '../errors.js';
import type { Nlri, RtcNlri } from '../nlri/index.js';
import type { notificationMessage } from '../notification.js';
import { CeaseSubcode, NotificationCode, UpdateErrorSubcode } from '../notification-codes.js';
import { makeOpen, type OpenMessage } from '../open.js';
import { resetNotification } from '../rfc7606.js';
import type { RouteRefreshMessage } from '../route-refresh.js';
import { decodeUpdateBody } from '../update.js';
import { u16 } from '../wire.js';
import { downgradeAs4, reconstructAs4 } from './as4.js';
import { type PeerConfig, parseFamily, type SpeakerConfig } from './config.js';
import { RouteInjectionError, SpeakerConfigError, UnknownPeerError } from './errors.js';
import { SpeakerEventEmitter, type SpeakerEvents } from './events.js';
import type { DownReason, FsmState } from './fsm.js';
import { gracefulRestartCapability, retainsRoutes } from './graceful-restart.js';
import { Peer, type PeerHost } from './peer.js';
import type { PolicyResult, RoutePolicy } from './policy.js';
import { AdjRibIn, adjKey } from './rib/adj-rib-in.js';
import { type ExportFn, routeRefreshBytes } from './rib/adj-rib-out.js';
import { Decision } from './rib/decision.js';
import { type BestChange, LocRib } from './rib/loc-rib.js';
import {
  IPV4_UNICAST_KEY,
  ipv4Key,
  keyText,
  makePathAttrs,
  newPath,
  nlriKey,
  type Path,
  type PathAttrs,
  pathNlri,
  type RouteKey,
  type RouteSource,
  rtConstrained,
  withAttributes,
} from './rib/path.js';
import { isReflected, mayAdvertise, reflectAttrs, reflectionLoop } from './route-reflection.js';
import { membershipNlri, RTC_FAMILY_KEY, RtMembership } from './rtc.js';
import { type Clock, systemClock } from './timers.js';
import { checkMd5, listenTcp, plainAddress } from './transport.js';

/** A route to inject (`announce`) or remove (`withdraw`). */
export interface LocalRoute {
  /** Family name (`ipv4-unicast`, `l2vpn-evpn`, ...) or pair; default from the NLRI type. */
  family?: string | Family;
  nlri: Nlri;
  /** Next hop (IPv4 or IPv6); peers get ours when empty. */
  nextHop?: string;
  /** Attributes; ORIGIN (IGP) and an empty AS_PATH are added when missing. */
  attributes?: PathAttribute[];
}

export interface RouteView {
  family: Family;
  nlri: Nlri;
  /** Source peer address, or 'local'. */
  peer: string;
  pathId: number;
  attrs: PathAttrs;
  best: boolean;
  stale: boolean;
}

export interface PeerStatus {
  address: string;
  asn: number;
  state: FsmState;
  description?: string;
  negotiated?: {
    holdTime: number;
    families: string[];
    fourOctetAs: boolean;
    routeRefresh: boolean;
    enhancedRouteRefresh: boolean;
    gracefulRestart: boolean;
    extendedMessage: boolean;
    /** Families whose routes may carry IPv6 next hops on IPv4 NLRI (RFC 8950), both sides having said so. */
    extendedNextHop: string[];
    addPathReceive: string[];
    addPathSend: string[];
    peerBgpId: string;
    capabilities: string[];
  };
  routesReceived: number;
  routesAdvertised: number;
  /** UPDATE messages received on the current and earlier sessions. */
  updatesReceived: number;
  /** Destinations with a change not yet written to the peer (at most one entry per route). */
  backlog: number;
  /** Bytes queued in the socket (bounded by the write high-water mark plus one flush slice). */
  outputBuffered: number;
  flaps: number;
  lastNotificationSent?: string;
  lastNotificationReceived?: string;
}

export interface SpeakerOptions {
  clock?: Clock;
}

const V4 = IPV4_UNICAST_KEY;
const MAX_ATTR_CACHE = 4096;
const latin1 = new TextDecoder('latin1');

function defaultFamilyOf(n: Nlri): Family {
  switch (n.type) {
    case 'vpn':
      return parseFamily(n.prefix.includes(':') ? 'ipv6-mpls-vpn' : 'ipv4-mpls-vpn');
    case 'rtc':
      return parseFamily('ipv4-rtc');
    case 'prefix':
      return parseFamily(n.prefix.includes(':') ? 'ipv6-unicast' : 'ipv4-unicast');
    case 'labeled':
      return parseFamily(n.prefix.includes(':') ? 'ipv6-labeled-unicast' : 'ipv4-labeled-unicast');
    case 'unknown':
      throw new RouteInjectionError('an unknown NLRI needs an explicit family');
    default:
      return parseFamily('l2vpn-evpn');
  }
}

function notifText(n: { codeName: string; subcodeName: string } | undefined): string | undefined {
  return n ? `${n.codeName} / ${n.subcodeName}` : undefined;
}

interface PeerState {
  rtc: RtMembership;
  attrCache: Map<string, PathAttrs | null>;
  /** Exported attributes per family and received set (next hops depend on the family). */
  exportCache: Map<number, WeakMap<PathAttrs, PathAttrs | null>>;
  restartTimer: unknown;
  holdTimer: unknown;
  disabled: Set<number>;
  /** The last attribute set import checks ran on (no import policy), and their result. */
  importChecked: PathAttrs | undefined;
  importResult: PathAttrs | undefined;
}

export class BgpSpeaker {
  readonly events = new SpeakerEventEmitter();
  readonly locRib: LocRib;
  readonly clock: Clock;
  readonly routerId: string;
  readonly localAs: number;
  readonly clusterId: string;
  private readonly peerMap = new Map<string, Peer>();
  private readonly state = new Map<Peer, PeerState>();
  private readonly localRib = new AdjRibIn();
  private readonly localAttrs = new Map<string, PathAttrs>();
  /** Established peers with add-path send negotiated. */
  private addPathSenders = 0;
  private readonly localSource: RouteSource;
  private servers: Server[] = [];
  private readonly host: PeerHost;
  private running = false;

  constructor(
    readonly config: SpeakerConfig,
    opts: SpeakerOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.routerId = config.routerId;
    this.localAs = config.asn;
    this.clusterId = config.clusterId ?? config.routerId;
    const decisionOpts: ConstructorParameters<typeof Decision>[0] = {};
    if (config.defaultLocalPref !== undefined) decisionOpts.defaultLocalPref = config.defaultLocalPref;
    if (config.alwaysCompareMed !== undefined) decisionOpts.alwaysCompareMed = config.alwaysCompareMed;
    if (config.igpCost) decisionOpts.igpCost = config.igpCost;
    this.locRib = new LocRib(new Decision(decisionOpts));
    this.localSource = {
      id: 'local',
      kind: 'local',
      bgpId: this.routerId,
      asn: this.localAs,
      rrClient: false,
    };
    this.host = {
      routerId: this.routerId,
      localAs: this.localAs,
      clock: this.clock,
      openFor: (p) => this.openFor(p),
      established: (p) => this.onEstablished(p),
      down: (p, r, w, n) => this.onDown(p, r, w, n),
      update: (p, m) => this.onUpdate(p, m),
      routeRefresh: (p, m) => this.onRouteRefresh(p, m),
      exportPath: (p) => this.exportFn(p),
      stateChanged: (p, from, to) => this.events.emit('peer-state', { peer: p.address, from, to }),
    };
    for (const pc of config.peers) this.addPeer(pc, false);
  }

  on<K extends keyof SpeakerEvents>(name: K, fn: (e: SpeakerEvents[K]) => void): () => void {
    return this.events.on(name, fn);
  }

  /** Listens on the configured addresses and starts every peer. */
  async start(): Promise<void> {
    for (const p of this.peerMap.values()) checkMd5(p.address, p.cfg.md5Password);
    for (const l of this.config.listen ?? []) {
      this.servers.push(await listenTcp(l, (s) => this.incoming(s)));
    }
    this.running = true;
    this.originateRtc();
    for (const p of this.peerMap.values()) p.start();
  }

  /** The addresses actually listened on (port 0 resolves to the chosen port). */
  listening(): { host: string; port: number }[] {
    return this.servers.map((s) => {
      const a = s.address();
      return typeof a === 'object' && a ? { host: a.address, port: a.port } : { host: String(a), port: 0 };
    });
  }

  /** Cease / Administrative Shutdown to every peer, then closes listeners. */
  async stop(): Promise<void> {
    this.running = false;
    for (const p of this.peerMap.values()) {
      p.stop();
      p.dispose();
    }
    for (const st of this.state.values()) {
      this.clock.clearTimeout(st.restartTimer);
      this.clock.clearTimeout(st.holdTimer);
    }
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.servers = [];
  }

  addPeer(cfg: PeerConfig, start = true): Peer {
    if (this.peerMap.has(cfg.address)) throw new SpeakerConfigError('address', `peer ${cfg.address} exists`);
    for (const f of cfg.families ?? []) parseFamily(f, `peer ${cfg.address} families`);
    const p = new Peer(cfg, this.host);
    this.peerMap.set(cfg.address, p);
    this.state.set(p, {
      rtc: new RtMembership(),
      attrCache: new Map(),
      exportCache: new Map(),
      restartTimer: undefined,
      holdTimer: undefined,
      disabled: new Set(),
      importChecked: undefined,
      importResult: undefined,
    });
    if (start && this.running) {
      checkMd5(cfg.address, cfg.md5Password);
      p.start();
    }
    return p;
  }

  /** Cease / Peer De-configured, routes removed. */
  removePeer(address: string): void {
    const p = this.peer(address);
    p.stop({
      code: NotificationCode.CEASE,
      subcode: CeaseSubcode.PEER_DECONFIGURED,
      data: new Uint8Array(0),
    });
    p.dispose();
    this.dropRoutes(p, undefined);
    this.peerMap.delete(address);
    this.state.delete(p);
  }

  peer(address: string): Peer {
    const p = this.peerMap.get(address);
    if (!p) throw new UnknownPeerError(address);
    return p;
  }

  peers(): PeerStatus[] {
    return [...this.peerMap.values()].map((p) => this.status(p));
  }

  status(p: Peer): PeerStatus {
    const n = p.negotiated;
    let adv = 0;
    if (p.out && n) for (const f of n.families) adv += p.out.advertised(familyKey(f));
    const s: PeerStatus = {
      address: p.address,
      asn: p.cfg.asn,
      state: p.state,
      routesReceived: p.adjIn.size,
      routesAdvertised: adv,
      updatesReceived: p.updatesIn,
      backlog: p.out?.backlog ?? 0,
      outputBuffered: p.outputBuffered,
      flaps: p.flaps,
    };
    if (p.cfg.description) s.description = p.cfg.description;
    if (n && p.state === 'Established') {
      s.negotiated = {
        holdTime: n.holdTime,
        families: n.families.map(familyName),
        fourOctetAs: n.fourOctetAs,
        routeRefresh: n.routeRefresh,
        enhancedRouteRefresh: n.enhancedRouteRefresh,
        gracefulRestart: n.gracefulRestart !== undefined,
        extendedMessage: n.extendedMessage,
        extendedNextHop: n.extendedNextHop.map(familyName),
        addPathReceive: n.addPathReceive.map(familyName),
        addPathSend: n.addPathSend.map(familyName),
        peerBgpId: n.peerBgpId,
        capabilities: n.remote.map((c) => c.type),
      };
    }
    const ls = notifText(p.lastNotificationSent);
    const lr = notifText(p.lastNotificationReceived);
    if (ls) s.lastNotificationSent = ls;
    if (lr) s.lastNotificationReceived = lr;
    return s;
  }

  // ---- sessions -------------------------------------------------------------------------------------

  private incoming(s: Socket): void {
    const addr = plainAddress(s.remoteAddress);
    const p = this.peerMap.get(addr);
    if (!p) {
      // RFC 4271 8.2.1.1: connections from unconfigured addresses are refused
      s.destroy();
      return;
    }
    p.accept(s);
  }

  private families(p: Peer): Family[] {
    return (p.cfg.families ?? ['ipv4-unicast']).map((f) => parseFamily(f));
  }

  private openFor(p: Peer): OpenMessage {
    const fams = this.families(p);
    const caps: Capability[] = fams.map((f) => ({ type: 'multiprotocol', afi: f.afi, safi: f.safi }));
    caps.push({ type: 'route-refresh' }, { type: 'enhanced-route-refresh' });
    caps.push({ type: 'four-octet-as', asn: p.cfg.localAs ?? this.localAs });
    if (p.cfg.extendedMessage) caps.push({ type: 'extended-message' });
    if (p.cfg.extendedNextHop) {
      // RFC 8950 3: IPv4 unicast and VPNv4 NLRI with IPv6 (next-hop AFI 2) next hops
      const entries = fams
        .filter((f) => f.afi === Afi.IPv4 && (f.safi === Safi.Unicast || f.safi === Safi.MplsVpn))
        .map((f) => ({ afi: f.afi, safi: f.safi, nextHopAfi: Afi.IPv6 }));
      if (entries.length > 0) caps.push({ type: 'extended-next-hop', entries });
    }
    const gr = this.config.gracefulRestart;
    if (gr !== false && gr !== undefined && p.cfg.gracefulRestart !== false) {
      caps.push(gracefulRestartCapability(gr, fams));
    } else if (gr === undefined && p.cfg.gracefulRestart === true) {
      caps.push(gracefulRestartCapability({}, fams));
    }
    const rx = new Set(p.cfg.addPathReceive ?? []);
    const tx = new Set(p.cfg.addPathSend ?? []);
    const ap = [...new Set([...rx, ...tx])].map((f) => ({
      ...parseFamily(f),
      mode: rx.has(f) && tx.has(f) ? ('both' as const) : rx.has(f) ? ('receive' as const) : ('send' as const),
    }));
    if (ap.length > 0) caps.push({ type: 'add-path', families: ap });
    return makeOpen({
      asn: p.cfg.localAs ?? this.localAs,
      holdTime: p.cfg.holdTime ?? this.config.holdTime ?? 90,
      bgpId: this.routerId,
      capabilities: caps,
    });
  }

  private onEstablished(p: Peer): void {
    const n = p.negotiated!;
    const st = this.state.get(p)!;
    st.disabled.clear();
    st.exportCache = new Map();
    const out = p.out!;
    const rtcOn = n.families.some((f) => familyKey(f) === RTC_FAMILY_KEY);
    const restarting =
      this.config.gracefulRestart !== false && this.config.gracefulRestart?.restarting === true;
    for (const f of n.families) {
      const fk = familyKey(f);
      // RFC 4684 6.2: VPN routes wait for the peer's RTC End-of-RIB; RFC 4724 4.1: a restarting speaker
      // waits for its peers' End-of-RIB
      // (only when the peer will send End-of-RIB, i.e. negotiated graceful restart)
      if (n.gracefulRestart && ((rtcOn && rtConstrained(fk)) || restarting)) out.held.add(fk);
      this.feed(p, fk);
      out.endOfRibAfterQueue(fk);
    }
    if (out.held.size > 0) {
      const gr = this.config.gracefulRestart;
      const deferral = (gr ? gr.selectionDeferralTime : undefined) ?? 360;
      st.holdTimer = this.clock.setTimeout(
        () => {
          out.held.clear();
          p.scheduleFlush();
        },
        (rtcOn && !restarting ? 60 : deferral) * 1000,
      );
    }
    if (n.addPathSend.length > 0) this.addPathSenders++;
    p.scheduleFlush();
    this.events.emit('peer-up', { peer: p.address, negotiated: n });
  }

  private onDown(
    p: Peer,
    reason: DownReason,
    wasEstablished: boolean,
    notification: ReturnType<typeof notificationMessage> | undefined,
  ): void {
    const st = this.state.get(p);
    if (!st) return;
    this.clock.clearTimeout(st.holdTimer);
    let gr = false;
    if (wasEstablished && p.negotiated && p.negotiated.addPathSend.length > 0) this.addPathSenders--;
    if (wasEstablished) {
      const n = p.negotiated;
      if (retainsRoutes(n, reason)) {
        gr = true;
        const keep = n!.gracefulRestart!.families;
        for (const fk of p.adjIn.families()) {
          if (keep.has(fk)) p.adjIn.markStale(fk);
          else this.dropRoutes(p, fk);
        }
        this.clock.clearTimeout(st.restartTimer);
        st.restartTimer = this.clock.setTimeout(() => {
          st.restartTimer = undefined;
          for (const fk of p.adjIn.families()) this.sweep(p, fk);
        }, n!.gracefulRestart!.restartTime * 1000);
      } else {
        this.dropRoutes(p, undefined);
      }
      // the RTC membership of the session is gone with it
      st.rtc = new RtMembership();
    }
    const e: SpeakerEvents['peer-down'] = { peer: p.address, reason, gracefulRestart: gr };
    if (notification) e.notification = notification;
    this.events.emit('peer-down', e);
  }

  /** Sends a ROUTE-REFRESH (RFC 2918) asking the peer to re-advertise a family. */
  refresh(address: string, family: string | Family): void {
    const p = this.peer(address);
    const f = typeof family === 'string' ? parseFamily(family) : family;
    if (p.state !== 'Established') throw new RouteInjectionError(`peer ${address} is not Established`);
    p.sendRaw(routeRefreshBytes(f.afi, f.safi, 0));
  }

  private onRouteRefresh(p: Peer, m: RouteRefreshMessage): void {
    const fk = (m.afi << 8) | m.safi;
    const f = { afi: m.afi, safi: m.safi };
    this.events.emit('route-refresh', { peer: p.address, family: f, subtype: m.subtype });
    const n = p.negotiated!;
    if (!n.families.some((x) => familyKey(x) === fk)) return;
    if (m.subtype === 0) {
      const out = p.out;
      if (!out) return;
      // RFC 7313 4: Begin-of-RIB-Route-Refresh, the routes, End-of-RIB-Route-Refresh
      if (n.enhancedRouteRefresh) p.sendRaw(routeRefreshBytes(m.afi, m.safi, 1));
      this.feed(p, fk);
      if (n.enhancedRouteRefresh) out.endOfRefreshAfterQueue(fk);
      p.scheduleFlush();
    } else if (m.subtype === 1 && n.enhancedRouteRefresh) {
      p.adjIn.markStale(fk);
    } else if (m.subtype === 2 && n.enhancedRouteRefresh) {
      this.sweep(p, fk);
    }
  }

  // ---- route processing ------------------------------------------------------------------------------

  private resetPeer(p: Peer, notification: NotificationSpec): void {
    p.fsm.handle({ type: 'MessageError', notification });
  }

  private onUpdate(p: Peer, msg: Uint8Array): void {
    const n = p.negotiated!;
    const st = this.state.get(p)!;
    const len = msg.length;
    const wrLen = u16(msg, 19);
    const wrE = 21 + wrLen;
    const malformedList = {
      code: NotificationCode.UPDATE_MESSAGE_ERROR,
      subcode: UpdateErrorSubcode.MALFORMED_ATTRIBUTE_LIST,
      data: new Uint8Array(0),
    };
    if (wrE + 2 > len) {
      this.resetPeer(p, malformedList);
      return;
    }
    const taLen = u16(msg, wrE);
    const aS = wrE + 2;
    const aE = aS + taLen;
    if (aE > len) {
      this.resetPeer(p, malformedList);
      return;
    }
    if (wrLen === 0 && taLen === 0 && aE === len) {
      this.endOfRib(p, V4);
      return;
    }
    let d: ReturnType<typeof decodeUpdateBody>;
    try {
      d = decodeUpdateBody(msg, 19, aE, n.rx);
    } catch (e) {
      if (e instanceof BgpError && e.notification) {
        this.resetPeer(p, e.notification);
        return;
      }
      throw e;
    }
    const attrsIn = d.message.attributes;
    if (wrLen === 0 && aE === len && attrsIn.length === 1) {
      const a = attrsIn[0]!;
      if (a.type === 'MP_UNREACH_NLRI' && a.withdrawn.length === 0 && d.problems.length === 0) {
        this.endOfRib(p, (a.afi << 8) | a.safi);
        return;
      }
    }
    let withdrawAll = false;
    if (d.action === 'session-reset') {
      this.resetPeer(p, resetNotification(d.problems)!);
      return;
    }
    if (d.action === 'afi-safi-disable') {
      for (const pr of d.problems) {
        if (pr.action !== 'afi-safi-disable' || !pr.family) continue;
        const fk = familyKey(pr.family);
        st.disabled.add(fk);
        this.dropRoutes(p, fk);
        this.events.emit('warning', {
          peer: p.address,
          message: `${familyName(pr.family)} disabled: ${pr.reason}`,
        });
      }
    }
    if (d.action === 'treat-as-withdraw') {
      withdrawAll = true;
      this.events.emit('warning', {
        peer: p.address,
        message: `treat-as-withdraw (RFC 7606): ${d.problems.map((x) => `${x.attribute}: ${x.reason}`).join('; ')}`,
      });
    }
    // IPv4 withdrawn routes (the codec checked the field)
    const v4AddPath = n.addPathReceive.some((f) => familyKey(f) === V4);
    this.walkV4(p, msg, 21, wrE, v4AddPath, undefined);
    let rx: PathAttrs | undefined;
    const reachAttrs = (nextHop: string, linkLocal: string | undefined, noMp: boolean): PathAttrs => {
      if (rx) return rx;
      let cacheKey: string | undefined;
      if (noMp && aE - aS <= 1024) {
        cacheKey = latin1.decode(msg.subarray(aS, aE));
        const hit = st.attrCache.get(cacheKey);
        if (hit !== undefined) {
          rx = hit ?? makePathAttrs([], '');
          return rx;
        }
      }
      const list = n.fourOctetAs ? attrsIn : reconstructAs4(attrsIn);
      rx = makePathAttrs(list, nextHop, linkLocal);
      if (cacheKey !== undefined) {
        if (st.attrCache.size >= MAX_ATTR_CACHE) st.attrCache.clear();
        st.attrCache.set(cacheKey, rx);
      }
      return rx;
    };
    for (const a of attrsIn) {
      if (a.type === 'MP_UNREACH_NLRI') {
        const fk = (a.afi << 8) | a.safi;
        if (st.disabled.has(fk)) continue;
        for (const x of a.withdrawn)
          this.unlearn(p, fk, nlriKey(fk, x), x.type !== 'unknown' ? (x.pathId ?? 0) : 0);
      }
    }
    for (const a of attrsIn) {
      if (a.type !== 'MP_REACH_NLRI') continue;
      const fk = (a.afi << 8) | a.safi;
      if (st.disabled.has(fk) || !n.families.some((f) => familyKey(f) === fk)) continue;
      const nh = a.nextHop.kind === 'raw' ? '' : a.nextHop.address;
      const ll = a.nextHop.kind === 'raw' ? undefined : a.nextHop.linkLocal;
      const attrs = withdrawAll ? undefined : reachAttrs(nh, ll, false);
      for (const x of a.nlri) {
        const key = nlriKey(fk, x);
        const pathId = x.type !== 'unknown' ? (x.pathId ?? 0) : 0;
        if (!attrs) this.unlearn(p, fk, key, pathId);
        else this.learn(p, fk, key, fk === V4 ? undefined : x, pathId, attrs);
      }
      rx = undefined;
    }
    if (aE < len) {
      const nhAttr = attrsIn.find((a) => a.type === 'NEXT_HOP');
      const hasMandatory =
        nhAttr && attrsIn.some((a) => a.type === 'ORIGIN') && attrsIn.some((a) => a.type === 'AS_PATH');
      if (!hasMandatory && !withdrawAll) {
        this.events.emit('warning', {
          peer: p.address,
          message: 'missing well-known mandatory attribute: treat-as-withdraw (RFC 7606 3 d)',
        });
      }
      const attrs =
        withdrawAll || !hasMandatory
          ? undefined
          : reachAttrs(nhAttr.type === 'NEXT_HOP' ? nhAttr.nextHop : '', undefined, true);
      try {
        this.walkV4(p, msg, aE, len, v4AddPath, attrs);
      } catch (e) {
        if (e instanceof BgpError && e.notification) {
          this.resetPeer(p, e.notification);
          return;
        }
        throw e;
      }
    }
    const max = p.cfg.maxPrefixes ?? 2_000_000;
    if (p.adjIn.size > max) {
      const data = new Uint8Array(7);
      data[0] = 0;
      data[1] = 1;
      data[2] = 1;
      data[3] = max >>> 24;
      data[4] = (max >>> 16) & 0xff;
      data[5] = (max >>> 8) & 0xff;
      data[6] = max & 0xff;
      this.resetPeer(p, {
        code: NotificationCode.CEASE,
        subcode: CeaseSubcode.MAXIMUM_NUMBER_OF_PREFIXES_REACHED,
        data,
      });
      this.dropRoutes(p, undefined);
    }
  }

  /** Reads IPv4 prefixes of an UPDATE field in place; `attrs` undefined withdraws them. */
  private walkV4(
    p: Peer,
    buf: Uint8Array,
    s: number,
    e: number,
    addPath: boolean,
    attrs: PathAttrs | undefined,
  ): void {
    let o = s;
    while (o < e) {
      let pathId = 0;
      if (addPath) {
        if (o + 4 > e) throw this.invalidNetwork(o);
        pathId = ((buf[o]! << 24) | (buf[o + 1]! << 16) | (buf[o + 2]! << 8) | buf[o + 3]!) >>> 0;
        o += 4;
      }
      const len = buf[o]!;
      const nb = (len + 7) >>> 3;
      if (len > 32 || o + 1 + nb > e) throw this.invalidNetwork(o);
      let a = 0;
      if (nb > 0) a = buf[o + 1]! << 24;
      if (nb > 1) a |= buf[o + 2]! << 16;
      if (nb > 2) a |= buf[o + 3]! << 8;
      if (nb > 3) a |= buf[o + 4]!;
      o += 1 + nb;
      const key = ipv4Key(a >>> 0, len);
      if (attrs) this.learn(p, V4, key, undefined, pathId, attrs);
      else this.unlearn(p, V4, key, pathId);
    }
  }

  private invalidNetwork(o: number): BgpError {
    return new BgpError('update', 'nlri', o, 'IPv4 prefix overruns the NLRI field', {
      notification: {
        code: NotificationCode.UPDATE_MESSAGE_ERROR,
        subcode: UpdateErrorSubcode.INVALID_NETWORK_FIELD,
        data: new Uint8Array(0),
      },
    });
  }

  /** Import checks and policy: the accepted attributes, or undefined when rejected. */
  private importAttrs(p: Peer, fk: number, path: Path): PathAttrs | undefined {
    const a = path.rxAttrs;
    const pol = p.cfg.import;
    // without a policy the outcome depends on the shared attribute set only: check each set once in a row
    const st = pol ? undefined : this.state.get(p);
    if (st && st.importChecked === a) return st.importResult;
    let out: PathAttrs | undefined = a;
    for (const s of a.asPath) if (s.asns.includes(this.localAs)) out = undefined; // RFC 4271 9.1.2 loop
    if (out && path.source.kind === 'internal' && reflectionLoop(a, this.routerId, this.clusterId))
      out = undefined;
    if (st) {
      st.importChecked = a;
      st.importResult = out;
      return out;
    }
    return out && this.applyPolicy(pol!, 'import', p, fk, path, a);
  }

  private applyPolicy(
    pol: RoutePolicy,
    direction: 'import' | 'export',
    p: Peer,
    fk: number,
    path: Path,
    a: PathAttrs,
  ): PathAttrs | undefined {
    const r: PolicyResult = pol({
      direction,
      peer: p.address,
      peerAs: p.cfg.asn,
      family: { afi: fk >>> 8, safi: fk & 0xff },
      nlri: pathNlri(path),
      attrs: a,
    });
    if (r === false) return undefined;
    if (r === true || r === undefined) return a;
    const changes: Parameters<typeof withAttributes>[1] = {};
    if (r.set) changes.set = r.set;
    if (r.remove) changes.remove = r.remove;
    if (r.nextHop) changes.nextHop = r.nextHop;
    return withAttributes(a, changes);
  }

  private learn(
    p: Peer,
    fk: number,
    key: RouteKey,
    nlri: Nlri | undefined,
    pathId: number,
    rx: PathAttrs,
  ): void {
    const addPath = pathId !== 0 || p.negotiated!.addPathReceive.length > 0;
    const ak = addPath
      ? adjKey(
          key,
          pathId,
          p.negotiated!.addPathReceive.some((f) => familyKey(f) === fk),
        )
      : key;
    const t = p.adjIn.table(fk);
    const old = t.get(ak);
    if (old && old.rxAttrs === rx && !old.stale) return;
    const path = newPath(p.source, fk, key, nlri, pathId, rx);
    path.attrs = this.importAttrs(p, fk, path);
    p.adjIn.put(t, ak, path, old);
    if (fk === RTC_FAMILY_KEY) this.rtcChange(p, old, path);
    // changed() reads lastChange before it calls any listener
    if (this.locRib.swap(fk, key, old, path)) this.changed(fk, key, this.locRib.lastChange);
    this.candidatesChanged(fk, key);
    if (this.events.has('route')) {
      this.events.emit('route', {
        kind: old ? 'changed' : 'added',
        peer: p.address,
        family: { afi: fk >>> 8, safi: fk & 0xff },
        nlri: pathNlri(path),
        pathId,
        attrs: path.attrs,
        accepted: path.attrs !== undefined,
      });
    }
  }

  private unlearn(p: Peer, fk: number, key: RouteKey, pathId: number): void {
    const ap = p.negotiated?.addPathReceive.some((f) => familyKey(f) === fk) ?? false;
    const old = p.adjIn.delete(fk, adjKey(key, pathId, ap));
    if (!old) return;
    this.removed(p, fk, key, old);
  }

  private removed(p: Peer | undefined, fk: number, key: RouteKey, old: Path): void {
    if (p && fk === RTC_FAMILY_KEY) this.rtcChange(p, old, undefined);
    if (this.locRib.swap(fk, key, old, undefined)) this.changed(fk, key, this.locRib.lastChange);
    this.candidatesChanged(fk, key);
    if (p && this.events.has('route')) {
      this.events.emit('route', {
        kind: 'withdrawn',
        peer: p.address,
        family: { afi: fk >>> 8, safi: fk & 0xff },
        nlri: pathNlri(old),
        pathId: old.pathId,
        attrs: undefined,
        accepted: false,
      });
    }
  }

  private dropRoutes(p: Peer, fk: number | undefined): void {
    for (const f of fk === undefined ? p.adjIn.families() : [fk]) {
      for (const [, path] of p.adjIn.clearFamily(f)) this.removed(p, f, path.key, path);
    }
  }

  private sweep(p: Peer, fk: number): void {
    for (const [, path] of p.adjIn.sweepStale(fk)) this.removed(p, fk, path.key, path);
  }

  private endOfRib(p: Peer, fk: number): void {
    const st = this.state.get(p)!;
    if (!st.restartTimer || p.adjIn.families().includes(fk)) this.sweep(p, fk);
    const out = p.out;
    if (out) {
      if (fk === RTC_FAMILY_KEY) for (const f of [...out.held]) if (rtConstrained(f)) out.held.delete(f);
      const restarting =
        this.config.gracefulRestart !== false && this.config.gracefulRestart?.restarting === true;
      if (restarting) out.held.delete(fk);
      if (out.held.size === 0) this.clock.clearTimeout(st.holdTimer);
      p.scheduleFlush();
    }
    this.events.emit('end-of-rib', { peer: p.address, family: { afi: fk >>> 8, safi: fk & 0xff } });
  }

  private rtcChange(p: Peer, old: Path | undefined, now: Path | undefined): void {
    const st = this.state.get(p)!;
    if (old?.attrs && old.nlri) st.rtc.update(old.nlri as RtcNlri, -1);
    if (now?.attrs && now.nlri) st.rtc.update(now.nlri as RtcNlri, 1);
    // re-evaluate the constrained families towards this peer
    const out = p.out;
    if (!out || !p.negotiated) return;
    for (const f of p.negotiated.families) {
      const k = familyKey(f);
      if (!rtConstrained(k)) continue;
      this.feed(p, k);
    }
    p.scheduleFlush();
  }

  /** Add-path send (RFC 7911): any candidate change goes to peers that take several paths. */
  private candidatesChanged(fk: number, key: RouteKey): void {
    if (this.addPathSenders === 0) return;
    for (const peer of this.peerMap.values()) {
      const out = peer.out;
      if (!out || !peer.negotiated?.addPathSend.some((f) => familyKey(f) === fk)) continue;
      out.queueCandidates(fk, key, this.locRib.candidates(fk, key));
      peer.scheduleFlush();
    }
  }

  /** Queues a whole family for a peer (initial table, route refresh, RT membership change). */
  private feed(p: Peer, fk: number): void {
    const out = p.out!;
    const ap = p.negotiated!.addPathSend.some((f) => familyKey(f) === fk);
    if (!ap) {
      out.startFeed(fk, this.locRib.table(fk).values(), this.locRib.size(fk));
      return;
    }
    for (const b of this.locRib.bests(fk)) out.queueCandidates(fk, b.key, this.locRib.candidates(fk, b.key));
  }

  /** Passes a best-path change to every Established peer's Adj-RIB-Out and to listeners. */
  private changed(fk: number, key: RouteKey, c: BestChange | undefined): void {
    if (!c) return;
    for (const peer of this.peerMap.values()) {
      const out = peer.out;
      if (!out || !peer.negotiated) continue;
      if (c.best && c.best.source.id === peer.address && !out.hasSent(fk, key)) continue;
      if (!peer.negotiated.families.some((f) => familyKey(f) === fk)) continue;
      if (peer.negotiated.addPathSend.some((f) => familyKey(f) === fk)) continue;
      out.queue(fk, key, c.best ?? null);
      peer.scheduleFlush();
    }
    if (this.events.has('best-path')) {
      const any = c.best ?? c.previous!;
      this.events.emit('best-path', {
        family: { afi: fk >>> 8, safi: fk & 0xff },
        nlri: pathNlri(any),
        peer: c.best?.source.id,
        attrs: c.best?.attrs,
        previousPeer: c.previous?.source.id,
      });
    }
  }

  // ---- export ------------------------------------------------------------------------------------------

  private selfNextHop(p: Peer, fk: number): string {
    const a = p.cfg.nextHop ?? p.localAddress;
    if (fk >>> 8 === 2 && !a.includes(':')) return `::ffff:${a}`;
    return a;
  }

  private exportFn(p: Peer): ExportFn {
    return (path, fk) => {
      const a = path.attrs;
      const n = p.negotiated;
      if (!a || !n) return undefined;
      const target = {
        id: p.address,
        kind: n.internal ? ('internal' as const) : ('external' as const),
        rrClient: p.cfg.routeReflectorClient ?? false,
      };
      if (!mayAdvertise(path.source, target)) return undefined;
      const st = this.state.get(p)!;
      if (rtConstrained(fk) && n.families.some((f) => familyKey(f) === RTC_FAMILY_KEY) && !st.rtc.allows(a))
        return undefined;
      const pol = p.cfg.export;
      let cache = st.exportCache.get(fk);
      if (!cache) {
        cache = new WeakMap();
        st.exportCache.set(fk, cache);
      }
      if (!pol) {
        const hit = cache.get(a);
        if (hit !== undefined && path.source.kind !== 'internal') return hit ?? undefined;
      }
      let out: PathAttrs | undefined = this.transform(p, fk, path, a, target.kind);
      if (pol && out) out = this.applyPolicy(pol, 'export', p, fk, path, out);
      if (out) out = this.ipv4NextHopFor(p, fk, out);
      if (!pol && path.source.kind !== 'internal') cache.set(a, out ?? null);
      return out;
    };
  }

  /**
   * RFC 8950 1: an IPv4 route (unicast or VPN) may carry an IPv6 next hop only to a peer that negotiated
   * extended next hop for its family. Any other peer gets the configured IPv4 `nextHop` instead, or the
   * route is withheld (it would be unusable or treated as malformed there).
   */
  private ipv4NextHopFor(p: Peer, fk: number, out: PathAttrs): PathAttrs | undefined {
    if (fk >>> 8 !== Afi.IPv4 || !out.nextHop.includes(':')) return out;
    if (p.negotiated!.extendedNextHop.some((f) => familyKey(f) === fk)) return out;
    const configured = p.cfg.nextHop;
    if (configured !== undefined && !configured.includes(':'))
      return withAttributes(out, { nextHop: configured });
    return undefined;
  }

  private transform(p: Peer, fk: number, path: Path, a: PathAttrs, kind: 'internal' | 'external'): PathAttrs {
    const n = p.negotiated!;
    const localAs = p.cfg.localAs ?? this.localAs;
    const list: PathAttribute[] = [];
    let nextHop = a.nextHop;
    if (kind === 'external') {
      for (const x of a.attributes) {
        if (x.type === 'LOCAL_PREF' || x.type === 'ORIGINATOR_ID' || x.type === 'CLUSTER_LIST') continue;
        if (x.type === 'MULTI_EXIT_DISC' && path.source.kind !== 'local') continue;
        if (x.type === 'AS_PATH') {
          const segs = x.segments;
          const first = segs[0];
          const segments =
            first && first.type === 'sequence' && first.asns.length < 255
              ? [{ type: 'sequence' as const, asns: [localAs, ...first.asns] }, ...segs.slice(1)]
              : [{ type: 'sequence' as const, asns: [localAs] }, ...segs];
          list.push({ type: 'AS_PATH', segments });
          continue;
        }
        list.push(x);
      }
      if (!list.some((x) => x.type === 'AS_PATH'))
        list.push({ type: 'AS_PATH', segments: [{ type: 'sequence', asns: [localAs] }] });
      if (p.cfg.nextHop || p.cfg.nextHopSelf || path.source.kind !== 'local' || nextHop === '')
        nextHop = this.selfNextHop(p, fk);
    } else {
      for (const x of a.attributes) list.push(x);
      if (!list.some((x) => x.type === 'LOCAL_PREF'))
        list.push({ type: 'LOCAL_PREF', localPref: a.localPref ?? this.locRib.decision.defaultLocalPref });
      if (!list.some((x) => x.type === 'AS_PATH')) list.push({ type: 'AS_PATH', segments: [] });
      if (p.cfg.nextHopSelf || p.cfg.nextHop || nextHop === '') nextHop = this.selfNextHop(p, fk);
    }
    let out = makePathAttrs(
      n.fourOctetAs ? list : downgradeAs4(list),
      nextHop,
      nextHop === a.nextHop ? a.linkLocal : undefined,
    );
    if (
      kind === 'internal' &&
      isReflected(path.source, { id: p.address, kind, rrClient: p.cfg.routeReflectorClient ?? false })
    ) {
      out = reflectAttrs(out, path.source, this.clusterId);
    }
    // AS4_PATH made by downgradeAs4 must survive makePathAttrs' filter: keep it in the list
    if (!n.fourOctetAs) {
      const as4 = list.length
        ? downgradeAs4(list).filter((x) => x.type === 'AS4_PATH' || x.type === 'AS4_AGGREGATOR')
        : [];
      if (as4.length) out = { ...out, attributes: [...out.attributes, ...as4] };
    }
    return out;
  }

  // ---- local routes --------------------------------------------------------------------------------

  private originateRtc(): void {
    const wantsRtc = [...this.peerMap.values()].some((p) =>
      this.families(p).some((f) => familyKey(f) === RTC_FAMILY_KEY),
    );
    if (!wantsRtc) return;
    const rts = this.config.rtcRouteTargets;
    const nlris =
      rts && rts.length > 0
        ? rts.map((t) => membershipNlri(this.localAs, t))
        : [membershipNlri(this.localAs)];
    for (const nlri of nlris) this.announce({ family: 'ipv4-rtc', nlri, nextHop: this.routerId });
  }

  private localFamily(r: LocalRoute): number {
    const f =
      r.family === undefined
        ? defaultFamilyOf(r.nlri)
        : typeof r.family === 'string'
          ? parseFamily(r.family)
          : r.family;
    return familyKey(f);
  }

  /** Injects (or replaces) a local route. */
  announce(r: LocalRoute): void {
    const fk = this.localFamily(r);
    const key = nlriKey(fk, r.nlri);
    const list = [...(r.attributes ?? [])];
    const seen = new Set<string>();
    for (const a of list) {
      const t = a.type === 'UNKNOWN' ? `UNKNOWN-${a.code}` : a.type;
      if (seen.has(t)) throw new RouteInjectionError(`attribute ${t} given twice`);
      if (a.type === 'MP_REACH_NLRI' || a.type === 'MP_UNREACH_NLRI' || a.type === 'NEXT_HOP')
        throw new RouteInjectionError(`${a.type} is built by the speaker; give nlri and nextHop instead`);
      seen.add(t);
    }
    if (!list.some((a) => a.type === 'ORIGIN')) list.push({ type: 'ORIGIN', origin: 'igp' });
    if (!list.some((a) => a.type === 'AS_PATH')) list.push({ type: 'AS_PATH', segments: [] });
    // routes injected with the same attributes share one set (so export work is done once per set)
    const ik = JSON.stringify([list, r.nextHop ?? ''], (_k, v) => (v instanceof Uint8Array ? [...v] : v));
    let attrs = this.localAttrs.get(ik);
    if (!attrs) {
      attrs = makePathAttrs(list, r.nextHop ?? '');
      if (this.localAttrs.size >= MAX_ATTR_CACHE) this.localAttrs.clear();
      this.localAttrs.set(ik, attrs);
    }
    const path = newPath(this.localSource, fk, key, fk === V4 ? undefined : r.nlri, 0, attrs);
    const old = this.localRib.set(fk, key, path);
    this.changed(fk, key, this.locRib.replace(fk, key, old, path));
    this.candidatesChanged(fk, key);
  }

  /** Removes a local route; false when there was none. */
  withdraw(r: Omit<LocalRoute, 'nextHop' | 'attributes'>): boolean {
    const fk = this.localFamily(r as LocalRoute);
    const key = nlriKey(fk, r.nlri);
    const old = this.localRib.delete(fk, key);
    if (!old) return false;
    this.removed(undefined, fk, key, old);
    return true;
  }

  /** Loc-RIB contents of a family: every candidate, best first per destination (or only best paths). */
  routes(family: string | Family, opts: { bestOnly?: boolean } = {}): RouteView[] {
    const f = typeof family === 'string' ? parseFamily(family) : family;
    const fk = familyKey(f);
    const out: RouteView[] = [];
    for (const head of this.locRib.bests(fk)) {
      for (let p: Path | undefined = head; p; p = opts.bestOnly ? undefined : p.next) {
        out.push({
          family: f,
          nlri: pathNlri(p),
          peer: p.source.id,
          pathId: p.pathId,
          attrs: p.attrs!,
          best: p === head,
          stale: p.stale,
        });
      }
    }
    return out;
  }

  /** The Adj-RIB-In of a peer (received routes, accepted or not). */
  adjRibIn(
    address: string,
    family: string | Family,
  ): { nlri: Nlri; pathId: number; attrs: PathAttrs; accepted: boolean; stale: boolean }[] {
    const p = this.peer(address);
    const f = typeof family === 'string' ? parseFamily(family) : family;
    return [...p.adjIn.table(familyKey(f)).values()].map((x) => ({
      nlri: pathNlri(x),
      pathId: x.pathId,
      attrs: x.rxAttrs,
      accepted: x.attrs !== undefined,
      stale: x.stale,
    }));
  }

  /** Number of destinations in the Loc-RIB of a family. */
  ribSize(family: string | Family): number {
    const f = typeof family === 'string' ? parseFamily(family) : family;
    return this.locRib.size(familyKey(f));
  }

  /** Text of a route key (for logs). */
  static keyText(k: RouteKey): string {
    return keyText(k);
  }
}
