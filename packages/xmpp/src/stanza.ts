// One stanza as text -> one typed value, and back. Classification follows the TF receiver
// (xmpp_proto.cc): an iq's action is the name of <pubsub>'s first child and its node that child's `node`;
// a message is a route update, a withdraw or End-of-RIB by its <items>; elements are found by local name,
// unknown children are skipped. A message that carries any <retract> is read as withdraws only, as the
// agent does.

import { type ConfigBlock, encodeConfig, readConfig } from './config.js';
import { END_OF_RIB_NODE } from './constants.js';
import { UnsupportedStanzaError, VocabularyError, XmlSyntaxError } from './errors.js';
import { type Family, parseItemsNode, parsePublishNode, type Route, readEntry } from './families.js';
import {
  type Addressing,
  encodeCollection,
  encodeEndOfRib,
  encodePublish,
  encodeRouteRetract,
  encodeRouteUpdate,
  encodeSubscribe,
  type RouteItem,
} from './pubsub.js';
import { encodeProceed, encodeStartTls, encodeStartTlsFeatures } from './stream-header.js';
import { LIT_WS, litExec, parseInteger } from './vocab-common.js';
import { TOKEN_EOF, TOKEN_START, XmlCursor } from './xml-cursor.js';
import { elementText, readElement, type XmlElement } from './xml-node.js';

interface Base {
  from: string;
  to: string;
  id?: string;
}

export interface SubscribeStanza extends Base {
  kind: 'subscribe' | 'unsubscribe';
  /** A routing-instance FQN, or `virtual-router:...` / `virtual-machine:...` for config. */
  node: string;
  instanceId?: number;
  noRibout?: boolean;
}

export interface PublishStanza extends Base {
  kind: 'publish';
  node: string;
  /** Absent for a publish with no item, which the CN reads as End-of-RIB. */
  route?: Route;
}

export interface CollectionStanza extends Base {
  kind: 'collection';
  /** The VRF. */
  node: string;
  associate: string[];
  dissociate: string[];
}

export interface ConfigStanza extends Base {
  kind: 'config';
  blocks: ConfigBlock[];
}

export interface RouteUpdateStanza extends Base {
  kind: 'route-update';
  node: string;
  family: Family;
  vrf: string;
  items: Required<RouteItem>[];
}

export interface RouteRetractStanza extends Base {
  kind: 'route-retract';
  node: string;
  family: Family;
  vrf: string;
  ids: string[];
}

export interface EndOfRibStanza extends Base {
  kind: 'end-of-rib';
}

export interface FeaturesStanza {
  kind: 'features';
  starttls: boolean;
  required: boolean;
}

export interface StartTlsStanza {
  kind: 'starttls';
}

export interface ProceedStanza {
  kind: 'proceed';
}

export interface StreamErrorStanza {
  kind: 'stream-error';
  condition: string;
  text: string;
}

export type Stanza =
  | SubscribeStanza
  | PublishStanza
  | CollectionStanza
  | ConfigStanza
  | RouteUpdateStanza
  | RouteRetractStanza
  | EndOfRibStanza
  | FeaturesStanza
  | StartTlsStanza
  | ProceedStanza
  | StreamErrorStanza;

function base(c: XmlCursor): Base {
  const b: Base = { from: c.attr('from') ?? '', to: c.attr('to') ?? '' };
  const id = c.attr('id');
  if (id !== undefined) b.id = id;
  return b;
}

function readOptions(c: XmlCursor, s: SubscribeStanza): void {
  while (c.nextChild()) {
    if (c.name() === 'instance-id') s.instanceId = parseInteger(c.readText(), 'options/instance-id');
    else if (c.name() === 'no-ribout') s.noRibout = c.readText().trim() === 'true';
    else c.skip();
  }
}

function readIq(c: XmlCursor, b: Base): Stanza {
  const startOffset = c.offset;
  let result: Stanza | undefined;
  while (c.nextChild()) {
    if (result !== undefined) {
      c.skip();
      continue;
    }
    if (c.name() === 'config') {
      result = { ...b, kind: 'config', blocks: readConfig(c) };
    } else if (c.name() === 'pubsub') {
      if (!c.nextChild()) throw new VocabularyError('pubsub', 'no action element');
      const action = c.name();
      const node = c.attr('node');
      if (action === 'subscribe' || action === 'unsubscribe') {
        if (node === undefined) throw new VocabularyError(`${action}/@node`, 'missing');
        const s: SubscribeStanza = { ...b, kind: action, node };
        while (c.nextChild()) {
          if (c.name() === 'options') readOptions(c, s);
          else c.skip();
        }
        // Test mocks put <options> beside <subscribe>: the CN finds it anywhere.
        while (c.nextChild()) {
          if (c.name() === 'options') readOptions(c, s);
          else c.skip();
        }
        result = s;
      } else if (action === 'publish') {
        if (node === undefined) throw new VocabularyError('publish/@node', 'missing');
        const p: PublishStanza = { ...b, kind: 'publish', node };
        while (c.nextChild()) {
          if (c.name() !== 'item' || p.route !== undefined) {
            c.skip();
            continue;
          }
          while (c.nextChild()) {
            if (c.name() === 'entry' && p.route === undefined) {
              // Only a publish that carries an entry needs a known family; an empty one is End-of-RIB.
              const parsed = parsePublishNode(node);
              if (parsed.family === undefined) {
                throw new VocabularyError('publish/@node', `unknown AFI/SAFI ${parsed.afi}/${parsed.safi}`);
              }
              p.route = readEntry(c, parsed.family);
            } else c.skip();
          }
        }
        c.skip();
        result = p;
      } else if (action === 'collection') {
        const col: CollectionStanza = {
          ...b,
          kind: 'collection',
          node: node ?? '',
          associate: [],
          dissociate: [],
        };
        while (c.nextChild()) {
          const n = c.attr('node');
          const op = c.name();
          if ((op === 'associate' || op === 'dissociate') && n !== undefined) col[op].push(n);
          c.skip();
        }
        c.skip();
        result = col;
      } else {
        throw new VocabularyError('pubsub', `unknown action <${action}>`);
      }
    } else {
      c.skip();
    }
  }
  if (result === undefined) throw new VocabularyError('iq', `no pubsub or config child (at ${startOffset})`);
  return result;
}

function readMessage(c: XmlCursor, b: Base): Stanza {
  let result: Stanza | undefined;
  while (c.nextChild()) {
    if (c.name() !== 'event' || result !== undefined) {
      c.skip();
      continue;
    }
    while (c.nextChild()) {
      if (c.name() !== 'items' || result !== undefined) {
        c.skip();
        continue;
      }
      const node = c.attr('node');
      if (node === undefined) throw new VocabularyError('items/@node', 'missing');
      if (node === END_OF_RIB_NODE) {
        c.skip();
        result = { ...b, kind: 'end-of-rib' };
        continue;
      }
      const parsed = parseItemsNode(node);
      const family = parsed.family;
      if (family === undefined)
        throw new VocabularyError('items/@node', `unknown AFI/SAFI ${parsed.afi}/${parsed.safi}`);
      const items: Required<RouteItem>[] = [];
      const ids: string[] = [];
      for (;;) {
        // Literal fast path: `<item id="..."><entry>` as the CN writes it (vocab-common.ts).
        const from = c.literalFrom(2);
        const m = from < 0 ? null : litExec(LIT_ITEM, c.source, from, c.limit);
        if (m !== null) {
          const at = LIT_ITEM.lastIndex;
          c.enterAt(at, 'item');
          c.enterAt(at, 'entry');
          items.push({ id: m[1]!, route: readEntry(c, family) });
          if (!c.leave()) while (c.nextChild()) c.skip();
          continue;
        }
        if (!c.nextChild()) break;
        if (c.name() === 'item') {
          const id = c.attr('id') ?? '';
          let route: Route | undefined;
          while (c.nextChild()) {
            if (c.name() === 'entry' && route === undefined) route = readEntry(c, family);
            else c.skip();
          }
          if (route === undefined) throw new VocabularyError('item/entry', 'missing');
          items.push({ id, route });
        } else if (c.name() === 'retract') {
          // The agent reads the id with first_attribute(); we accept `id` wherever it is.
          ids.push(c.attr('id') ?? '');
          c.skip();
        } else c.skip();
      }
      result =
        ids.length > 0
          ? { ...b, kind: 'route-retract', node, family, vrf: parsed.vrf, ids }
          : { ...b, kind: 'route-update', node, family, vrf: parsed.vrf, items };
    }
  }
  if (result === undefined) throw new VocabularyError('message', 'no event/items child');
  return result;
}

const LIT_ITEM = new RegExp(`${LIT_WS}<item id="([^"<&]*)">${LIT_WS}<entry>`, 'y');

const shared = new XmlCursor();

/** Decodes one stanza (as the framer delivers it, or any text holding one element). */
export function decodeStanza(text: string): Stanza {
  const c = shared.reset(text);
  try {
    return decodeWith(c);
  } finally {
    c.reset('');
  }
}

function decodeWith(c: XmlCursor): Stanza {
  if (c.next() !== TOKEN_START) throw new XmlSyntaxError('no element', 0);
  const name = c.name();
  let out: Stanza;
  switch (name) {
    case 'iq':
      out = readIq(c, base(c));
      break;
    case 'message':
      out = readMessage(c, base(c));
      break;
    case 'stream:features': {
      const f: FeaturesStanza = { kind: 'features', starttls: false, required: false };
      while (c.nextChild()) {
        if (c.name() === 'starttls') {
          f.starttls = true;
          while (c.nextChild()) {
            if (c.name() === 'required') f.required = true;
            c.skip();
          }
        } else c.skip();
      }
      out = f;
      break;
    }
    case 'starttls':
    case 'proceed':
      c.skip();
      out = { kind: name };
      break;
    case 'stream:error': {
      const el = readElement(c);
      const cond = el.children.find((ch): ch is XmlElement => typeof ch !== 'string' && ch.name !== 'text');
      const text = el.children.find((ch): ch is XmlElement => typeof ch !== 'string' && ch.name === 'text');
      out = {
        kind: 'stream-error',
        condition: cond?.name ?? 'undefined-condition',
        text: text ? elementText(text) : '',
      };
      break;
    }
    default:
      throw new UnsupportedStanzaError(name);
  }
  // Anything after the element other than whitespace/comments is not one stanza.
  if (c.next() !== TOKEN_EOF) throw new XmlSyntaxError('content after the stanza', c.offset);
  return out;
}

/** Encodes a typed stanza; the inverse of decodeStanza for every vocabulary kind. */
export function encodeStanza(s: Stanza): string {
  const a = (x: Base): Addressing =>
    x.id === undefined ? { from: x.from, to: x.to } : { from: x.from, to: x.to, id: x.id };
  switch (s.kind) {
    case 'subscribe':
    case 'unsubscribe': {
      const opts: { instanceId?: number; noRibout?: boolean } = {};
      if (s.instanceId !== undefined) opts.instanceId = s.instanceId;
      if (s.noRibout !== undefined) opts.noRibout = s.noRibout;
      return encodeSubscribe(s.kind, a(s), s.node, opts);
    }
    case 'publish':
      return encodePublish(a(s), s.node, s.route);
    case 'collection': {
      let out = '';
      for (const n of s.associate) out += encodeCollection(a(s), s.node, 'associate', n);
      for (const n of s.dissociate) out += encodeCollection(a(s), s.node, 'dissociate', n);
      return out;
    }
    case 'config':
      return encodeConfig(s.from, s.to, s.blocks);
    case 'route-update':
      return encodeRouteUpdate(s.from, s.to, s.family, s.vrf, s.items);
    case 'route-retract':
      return encodeRouteRetract(s.from, s.to, s.family, s.vrf, s.ids);
    case 'end-of-rib':
      return encodeEndOfRib(s.from, s.to);
    case 'features':
      return encodeStartTlsFeatures();
    case 'starttls':
      return encodeStartTls();
    case 'proceed':
      return encodeProceed();
    case 'stream-error':
      return `<stream:error><${s.condition} xmlns="urn:ietf:params:xml:ns:xmpp-streams" /></stream:error>`;
  }
}

/** True for the config node names agents subscribe to over `/config`. */
export function isConfigNode(node: string): boolean {
  return node.startsWith('virtual-router:') || node.startsWith('virtual-machine:');
}

/** True when `to` addresses the CN's config handler (TF routes by substring of `to`). */
export function isConfigAddress(to: string): boolean {
  return to.includes('/config') || to.endsWith('config');
}
