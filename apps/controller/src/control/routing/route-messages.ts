// Control node -> agent route messages built from RouteDb entries, byte for byte what @filament/xmpp's
// encodeRouteUpdate / encodeRouteRetract write (PROTOCOL.md section 6; a test compares them), with two
// savings for fan-out: an entry's `<item>` is encoded once per RouteDb change (the paths array is immutable, so
// its identity names the version) however many agents receive it, and all messages for one agent in one flush
// are written to its socket as one string.
import {
  CONTROL_NODE_JID,
  encodeEntry,
  escapeAttr,
  type Family,
  itemsNode,
  MAX_ITEMS_PER_MESSAGE,
  MAX_RETRACTS_PER_MESSAGE,
  NS_PUBSUB,
  RESOURCE_BGP,
} from '@filament/xmpp';
import { mergedRoute } from './merge.js';
import type { RouteFamily, RoutePath } from './route-db.js';

/** A flat copy of a string (a UTF-8 round trip always allocates a new sequential string). */
const flat = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

const itemCache = new WeakMap<readonly RoutePath[], string>();

/** `<item id="key">` with the entry agents receive for these paths (several paths: one entry, ECMP). */
export function itemXml(family: RouteFamily, key: string, paths: readonly RoutePath[]): string {
  let s = itemCache.get(paths);
  if (s === undefined) {
    // Kept for the entry's life: one flat copy, not the rope of pieces the encoder concatenated (dozens of
    // string cells per item, some of them slices that hold a whole received message alive).
    s = flat(`<item id="${escapeAttr(key)}">\n${encodeEntry(mergedRoute(family, paths))}</item>\n`);
    itemCache.set(paths, s);
  }
  return s;
}

export function retractXml(key: string): string {
  return `<retract id="${escapeAttr(key)}" />\n`;
}

const MESSAGE_CLOSE = '</items>\n\t</event>\n</message>\n';

/** Builds the messages for one agent: open a message per VRF/family, at most 32 items or 256 retracts each. */
export class RouteMessageWriter {
  private readonly open: string;
  private out = '';
  private node = '';
  private count = 0;
  private kind: 'item' | 'retract' | '' = '';

  constructor(agent: string) {
    this.open = `\n<message from="${escapeAttr(CONTROL_NODE_JID)}" to="${escapeAttr(`${agent}/${RESOURCE_BGP}`)}">\n\t<event xmlns="${NS_PUBSUB}">\n`;
  }

  /** Messages opened since the caller last reset these (for metrics). */
  itemMessages = 0;
  retractMessages = 0;

  add(family: Family, vrf: string, kind: 'item' | 'retract', xml: string): void {
    const node = itemsNode(family, vrf);
    const max = kind === 'item' ? MAX_ITEMS_PER_MESSAGE : MAX_RETRACTS_PER_MESSAGE;
    if (node !== this.node || kind !== this.kind || this.count === max) {
      this.close();
      this.out += `${this.open}<items node="${escapeAttr(node)}">\n`;
      this.node = node;
      this.kind = kind;
      if (kind === 'item') this.itemMessages++;
      else this.retractMessages++;
    }
    this.out += xml;
    this.count++;
  }

  private close(): void {
    if (this.kind !== '') this.out += MESSAGE_CLOSE;
    this.kind = '';
    this.node = '';
    this.count = 0;
  }

  /** Everything written since the last take, as one string ('' when nothing). */
  take(): string {
    this.close();
    const s = this.out;
    this.out = '';
    return s;
  }

  get length(): number {
    return this.out.length;
  }
}
