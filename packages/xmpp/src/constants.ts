// Names, namespaces and JIDs of the Tungsten Fabric controller<->agent dialect (PROTOCOL.md sections 1, 3, 5).

export const NS_STREAM = 'http://etherx.jabber.org/streams';
export const NS_STREAM_ERRORS = 'urn:ietf:params:xml:ns:xmpp-streams';
export const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';
export const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
/** The CN answers with this default namespace in its header. */
export const NS_CLIENT = 'jabber:client';

/** The control node's JID: agents address it, it signs its route messages with it. */
export const CONTROL_NODE_JID = 'network-control@contrailsystems.com';
export const RESOURCE_BGP = 'bgp-peer';
export const RESOURCE_CONFIG = 'config';
/** Config iqs from the CN go to `default-global-system-config:<agent>/config`. */
export const CONFIG_JID_PREFIX = 'default-global-system-config:';
/** The literal id every TF control node puts in its header. */
export const CN_STREAM_ID = '++123';

export const DEFAULT_PORT = 5269;
/** Hold time, not negotiated: each side uses its own (XmppStateMachine::kHoldTime). */
export const DEFAULT_HOLD_TIME_MS = 90_000;
/** From TCP accept to the agent's header. */
export const DEFAULT_OPEN_TIME_MS = 15_000;
/** Limit on one stanza (and on the stream header) in characters. */
export const DEFAULT_MAX_STANZA_SIZE = 1024 * 1024;
/** Bytes queued for a slow reader before the session is closed. */
export const DEFAULT_MAX_WRITE_BUFFER = 16 * 1024 * 1024;
/** Agent keeps at most this many control nodes (MAX_XMPP_SERVERS). */
export const MAX_SERVERS_PER_AGENT = 2;
/** CN route messages carry at most this many items, or this many retracts (xmpp_message_builder). */
export const MAX_ITEMS_PER_MESSAGE = 32;
export const MAX_RETRACTS_PER_MESSAGE = 256;
/** The CN sends at most this many config objects per iq. */
export const MAX_CONFIG_OBJECTS_PER_IQ = 16;
/** The items node of End-of-RIB messages. */
export const END_OF_RIB_NODE = '0/0/EndOfRib';
