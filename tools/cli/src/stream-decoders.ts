// Application decoders for TCP byte streams found in captures, chosen by port. Each connection direction
// gets its own decoder instance; `push` returns the messages that the new bytes completed.
import {
  BgpError,
  BgpFramer,
  decodeMessage,
  type OpenMessage,
  openCapabilities,
  type SessionContext,
  sessionContext,
} from '@filament/bgp';
import { XmppError, XmppStreamDecoder } from '@filament/xmpp';

export interface StreamDecoder {
  /** Feeds in-order bytes of one direction; returns the messages they completed, JSON-friendly. */
  push(bytes: Uint8Array): unknown[];
}

/** Shared by both directions of one connection, for what one direction learns that the other needs. */
export interface ConnectionState {
  /** The BGP OPENs seen, by direction. */
  opens: Map<string, OpenMessage>;
}

export type StreamDecoderFactory = (conn: ConnectionState, direction: string) => StreamDecoder;

/**
 * BGP (RFC 4271) on TCP 179. Messages are cut by the framer and decoded with a context from the OPENs seen
 * on the connection: 4-octet AS unless an OPEN lacked capability 65 (RFC 6793), 65535-byte messages when
 * both sent capability 6 (RFC 8654). A capture that starts after the OPENs is decoded as 4-octet AS.
 */
export const bgpStreamDecoder: StreamDecoderFactory = (conn, direction) => {
  const framer = new BgpFramer({ maxMessageLength: 65535, maxBufferedBytes: 4 << 20 });
  const context = (): SessionContext => {
    const opens = [...conn.opens.values()];
    const fourOctet = opens.every((o) => openCapabilities(o).some((c) => c.type === 'four-octet-as'));
    return sessionContext({ fourOctetAs: fourOctet, extendedMessage: true });
  };
  return {
    push(bytes) {
      const out: unknown[] = [];
      try {
        framer.push(bytes);
        for (let m = framer.next(); m; m = framer.next()) {
          try {
            const d = decodeMessage(m, 0, context());
            if (d.message.type === 'open') conn.opens.set(direction, d.message);
            out.push(
              d.problems.length > 0 ? { ...d.message, problems: d.problems.map(errorJson) } : d.message,
            );
          } catch (e) {
            if (!(e instanceof BgpError)) throw e;
            out.push({ type: 'error', error: errorJson(e) });
          }
        }
      } catch (e) {
        if (!(e instanceof BgpError)) throw e;
        framer.reset();
        out.push({ type: 'error', error: errorJson(e) });
      }
      return out;
    },
  };
};

/**
 * The Tungsten Fabric controller<->agent XMPP channel on TCP 5269: stream headers, typed stanzas (route
 * publish/retract, subscriptions, config), keepalives. A capture may start mid-session.
 */
export const xmppStreamDecoder: StreamDecoderFactory = () => {
  const decoder = new XmppStreamDecoder({ midStream: true, keepXml: false });
  return {
    push(bytes) {
      return decoder
        .push(bytes)
        .map((ev) => (ev.type === 'error' ? { ...ev, error: errorJson(ev.error) } : ev));
    },
  };
};

function errorJson(e: unknown): unknown {
  if (e instanceof XmppError)
    return { name: e.name, code: e.code, condition: e.condition, message: e.message };
  if (e instanceof BgpError) {
    return {
      name: e.name,
      layer: e.layer,
      field: e.field,
      offset: e.offset,
      action: e.action,
      message: e.message,
    };
  }
  if (e && typeof e === 'object' && 'name' in e) return e;
  return String(e);
}

/** Decoders by name, and the TCP ports that select them by default. */
export const streamDecoders = new Map<string, StreamDecoderFactory>([
  ['bgp', bgpStreamDecoder],
  ['xmpp', xmppStreamDecoder],
]);
export const defaultTcpPorts = new Map<number, string>([
  [179, 'bgp'],
  [5269, 'xmpp'],
]);
