// The routing vocabulary on pubsub (XEP-0060 names, TF semantics; PROTOCOL.md sections 4-6):
//
//   agent -> CN  <iq type="set"><pubsub><subscribe|unsubscribe node=VRF><options><instance-id/>[<no-ribout/>]
//   agent -> CN  <iq type="set"><pubsub><publish node=N><item><entry/></item></publish></pubsub></iq>
//                <iq type="set"><pubsub><collection node=VRF><associate|dissociate node=N/></collection>...
//   CN -> agent  <message><event><items node="afi/safi/VRF"><item id=..><entry/></item>*|<retract id=../>*
//   both         <message><event><items node="0/0/EndOfRib"></items></event></message>
//
// Every iq is type="set" and never answered. An iq or message is never written self-closing (TF frames
// only `<iq ...>...</iq>`).
import {
  CONTROL_NODE_JID,
  END_OF_RIB_NODE,
  MAX_ITEMS_PER_MESSAGE,
  MAX_RETRACTS_PER_MESSAGE,
  NS_PUBSUB,
} from './constants.js';
import { EncodeError } from './errors.js';
import { encodeEntry, type Family, itemId, itemsNode, publishNode, type Route } from './families.js';
import { escapeAttr } from './xml-text.js';

export interface Addressing {
  from: string;
  to: string;
  /** iq id; TF agents use subscribe<N>, pubsub<N>, collection<N>. Omitted when undefined. */
  id?: string;
}

export interface SubscribeOptions {
  /** The agent's local VRF index; the CN builds the agent's RD `<nexthop>:<instance-id>` from it. */
  instanceId?: number;
  /** RIB-in only: the CN sends no routes back. */
  noRibout?: boolean;
}

function iqOpen(a: Addressing): string {
  const id = a.id === undefined ? '' : ` id="${escapeAttr(a.id)}"`;
  return `<iq type="set" from="${escapeAttr(a.from)}" to="${escapeAttr(a.to)}"${id}>\n<pubsub xmlns="${NS_PUBSUB}">\n`;
}

const IQ_CLOSE = '</pubsub>\n</iq>\n';

/** Routing-instance (or config) subscribe/unsubscribe. Config subscribes carry no options. */
export function encodeSubscribe(
  op: 'subscribe' | 'unsubscribe',
  a: Addressing,
  node: string,
  opts: SubscribeOptions = {},
): string {
  let body: string;
  if (opts.instanceId === undefined && opts.noRibout === undefined) {
    body = `<${op} node="${escapeAttr(node)}" />\n`;
  } else {
    let options = '<options>\n';
    if (opts.instanceId !== undefined) {
      if (!Number.isSafeInteger(opts.instanceId) || opts.instanceId < 0) {
        throw new EncodeError('instance-id', `not a non-negative integer: ${opts.instanceId}`);
      }
      options += `<instance-id>${opts.instanceId}</instance-id>\n`;
    }
    if (opts.noRibout !== undefined)
      options += `<no-ribout>${opts.noRibout ? 'true' : 'false'}</no-ribout>\n`;
    body = `<${op} node="${escapeAttr(node)}">\n${options}</options>\n</${op}>\n`;
  }
  return iqOpen(a) + body + IQ_CLOSE;
}

/** The publish iq alone. Without a route it is the CN-understood End-of-RIB form (a publish with no item). */
export function encodePublish(a: Addressing, node: string, route?: Route): string {
  if (route === undefined) return `${iqOpen(a)}<publish node="${escapeAttr(node)}" />\n${IQ_CLOSE}`;
  return `${iqOpen(a)}<publish node="${escapeAttr(node)}">\n<item>\n${encodeEntry(route)}</item>\n</publish>\n${IQ_CLOSE}`;
}

/** The collection iq: associate (add/update) or dissociate (withdraw) `node` in `vrf`. */
export function encodeCollection(
  a: Addressing,
  vrf: string,
  op: 'associate' | 'dissociate',
  node: string,
): string {
  return (
    `${iqOpen(a)}<collection node="${escapeAttr(vrf)}">\n<${op} node="${escapeAttr(node)}" />\n</collection>\n` +
    IQ_CLOSE
  );
}

export interface RoutePublishOptions {
  from: string;
  /** Default `network-control@contrailsystems.com/bgp-peer`. */
  to?: string;
  vrf: string;
  route: Route;
  /** Sequence number for the ids (`pubsub<N>`/`collection<N>`, `_l2` for EVPN, `_b` for multicast). */
  seq?: number;
  /** Publish node; computed from the route and VRF by default. */
  node?: string;
}

function idPrefix(family: Family): string {
  return family === 'evpn' ? '_l2' : family === 'ermvpn' ? '_b' : '';
}

/** The publish + collection pair for an add/update (`associate`) or withdraw (`dissociate`). */
export function encodeRoutePublish(op: 'associate' | 'dissociate', o: RoutePublishOptions): string {
  const to = o.to ?? `${CONTROL_NODE_JID}/bgp-peer`;
  const node = o.node ?? publishNode(o.route, o.vrf);
  const seq = o.seq ?? 0;
  const p = idPrefix(o.route.family);
  return (
    encodePublish({ from: o.from, to, id: `pubsub${p}${seq}` }, node, o.route) +
    encodeCollection({ from: o.from, to, id: `collection${p}${seq}` }, o.vrf, op, node)
  );
}

export interface RouteItem {
  /** The item id; `itemId(route)` when omitted. */
  id?: string;
  route: Route;
}

function messageOpen(from: string, to: string): string {
  return `\n<message from="${escapeAttr(from)}" to="${escapeAttr(to)}">\n\t<event xmlns="${NS_PUBSUB}">\n`;
}

const MESSAGE_CLOSE = '\t</event>\n</message>\n';

/** A CN route update: up to 32 items of one family and VRF. */
export function encodeRouteUpdate(
  from: string,
  to: string,
  family: Family,
  vrf: string,
  items: readonly RouteItem[],
): string {
  if (items.length === 0 || items.length > MAX_ITEMS_PER_MESSAGE) {
    throw new EncodeError('items', `${items.length} items; a message carries 1..${MAX_ITEMS_PER_MESSAGE}`);
  }
  let out = `${messageOpen(from, to)}<items node="${escapeAttr(itemsNode(family, vrf))}">\n`;
  for (const it of items) {
    if (it.route.family !== family)
      throw new EncodeError('items', `a ${it.route.family} route in a ${family} message`);
    out += `<item id="${escapeAttr(it.id ?? itemId(it.route))}">\n${encodeEntry(it.route)}</item>\n`;
  }
  return `${out}</items>\n${MESSAGE_CLOSE}`;
}

/** A CN withdraw: up to 256 retracts, `id` first (the agent reads the first attribute). */
export function encodeRouteRetract(
  from: string,
  to: string,
  family: Family,
  vrf: string,
  ids: readonly string[],
): string {
  if (ids.length === 0 || ids.length > MAX_RETRACTS_PER_MESSAGE) {
    throw new EncodeError(
      'retract',
      `${ids.length} retracts; a message carries 1..${MAX_RETRACTS_PER_MESSAGE}`,
    );
  }
  let out = `${messageOpen(from, to)}<items node="${escapeAttr(itemsNode(family, vrf))}">\n`;
  for (const id of ids) out += `<retract id="${escapeAttr(id)}" />\n`;
  return `${out}</items>\n${MESSAGE_CLOSE}`;
}

/** End-of-RIB, byte for byte as TF's SendEndOfRIB writes it (and the agent mirrors). */
export function encodeEndOfRib(from: string, to: string): string {
  return `${messageOpen(from, to)}<items node="${END_OF_RIB_NODE}"></items>\n${MESSAGE_CLOSE}`;
}
