// The session context: what the two speakers negotiated in their OPENs (RFC 5492 capabilities), which
// decides how one direction of a session's messages are encoded: 2- or 4-octet AS numbers in AS_PATH and
// AGGREGATOR (RFC 6793), path identifiers per AFI/SAFI (RFC 7911), and the 4096/65535 message size (RFC 8654).
import { type Family, familyKey } from './afi-safi.js';

/** How one direction of a session encodes its messages. Build with `sessionContext()` or `negotiate()`. */
export interface SessionContext {
  /** AS numbers are 4 octets in AS_PATH and AGGREGATOR (both speakers sent capability 65). */
  readonly fourOctetAs: boolean;
  /** Messages may be up to 65535 bytes (both speakers sent capability 6), otherwise 4096. */
  readonly extendedMessage: boolean;
  /** Families (as `familyKey`) whose NLRI carry a 4-byte path identifier in this direction. */
  readonly addPath: ReadonlySet<number>;
  /**
   * Whether the peer is internal or external, when known: RFC 7606 discards LOCAL_PREF, ORIGINATOR_ID and
   * CLUSTER_LIST received from external peers and treats confederation segments from them as malformed.
   */
  readonly peerType?: 'internal' | 'external';
}

export interface SessionContextInit {
  fourOctetAs?: boolean;
  extendedMessage?: boolean;
  addPath?: readonly Family[];
  peerType?: 'internal' | 'external';
}

/**
 * A context from explicit settings. Defaults: 4-octet AS (what every current speaker negotiates),
 * 4096-byte messages, no add-path, peer type unknown.
 */
export function sessionContext(init: SessionContextInit = {}): SessionContext {
  const ctx: { -readonly [K in keyof SessionContext]: SessionContext[K] } = {
    fourOctetAs: init.fourOctetAs ?? true,
    extendedMessage: init.extendedMessage ?? false,
    addPath: new Set((init.addPath ?? []).map(familyKey)),
  };
  if (init.peerType) ctx.peerType = init.peerType;
  return ctx;
}

/** The default context (4-octet AS, 4096-byte messages, no add-path). */
export const defaultContext: SessionContext = sessionContext();

/** RFC 4271 4.1 / RFC 8654: 4096, or 65535 with extended messages. */
export function maxMessageLength(ctx: SessionContext): number {
  return ctx.extendedMessage ? 65535 : 4096;
}

/** True when NLRI of `family` carry path identifiers in this direction. */
export function hasAddPath(ctx: SessionContext, afi: number, safi: number): boolean {
  return ctx.addPath.size > 0 && ctx.addPath.has((afi << 8) | safi);
}

interface OpenLike {
  parameters: readonly (
    | { kind: 'capabilities'; capabilities: readonly CapabilityLike[] }
    | { kind: 'unknown' }
  )[];
}
type CapabilityLike =
  | { type: 'four-octet-as' }
  | { type: 'extended-message' }
  | {
      type: 'add-path';
      families: readonly { afi: number; safi: number; mode: 'receive' | 'send' | 'both' }[];
    }
  | { type: string };

function capsOf(open: OpenLike): CapabilityLike[] {
  const out: CapabilityLike[] = [];
  for (const p of open.parameters) if (p.kind === 'capabilities') out.push(...p.capabilities);
  return out;
}

function addPathModes(open: OpenLike): Map<number, string> {
  const m = new Map<number, string>();
  for (const c of capsOf(open)) {
    if (c.type !== 'add-path' || !('families' in c)) continue;
    for (const f of (c as Extract<CapabilityLike, { type: 'add-path' }>).families)
      m.set(familyKey(f), f.mode);
  }
  return m;
}

/**
 * The contexts of both directions of a session from the two OPENs (RFC 5492): 4-octet AS when both sent
 * capability 65 (RFC 6793 4.1), extended messages when both sent capability 6 (RFC 8654 3), and path ids
 * per family where one side sends and the other receives (RFC 7911 4).
 */
export function negotiate(
  local: OpenLike,
  remote: OpenLike,
  peerType?: 'internal' | 'external',
): { receive: SessionContext; send: SessionContext } {
  const lc = capsOf(local);
  const rc = capsOf(remote);
  const both = (t: string) => lc.some((c) => c.type === t) && rc.some((c) => c.type === t);
  const fourOctetAs = both('four-octet-as');
  const extendedMessage = both('extended-message');
  const lm = addPathModes(local);
  const rm = addPathModes(remote);
  const receive: Family[] = [];
  const send: Family[] = [];
  for (const [key, mode] of lm) {
    const peer = rm.get(key);
    if (!peer) continue;
    const f = { afi: key >> 8, safi: key & 0xff };
    if ((mode === 'receive' || mode === 'both') && (peer === 'send' || peer === 'both')) receive.push(f);
    if ((mode === 'send' || mode === 'both') && (peer === 'receive' || peer === 'both')) send.push(f);
  }
  const base = peerType ? { fourOctetAs, extendedMessage, peerType } : { fourOctetAs, extendedMessage };
  return {
    receive: sessionContext({ ...base, addPath: receive }),
    send: sessionContext({ ...base, addPath: send }),
  };
}
