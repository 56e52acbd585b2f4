// Every failure of @filament/xmpp is one of these classes, told apart by `name` and `code`. Where RFC 6120
// section 4.9.3 defines a stream-error condition for the situation, `condition` carries it, so a session can
// report it in a <stream:error> and a caller can log it in RFC terms.

/** RFC 6120 section 4.9.3 stream-error conditions used by this library. */
export type StreamErrorCondition =
  | 'bad-format'
  | 'conflict'
  | 'connection-timeout'
  | 'host-unknown'
  | 'invalid-namespace'
  | 'not-authorized'
  | 'not-well-formed'
  | 'policy-violation'
  | 'remote-connection-failed'
  | 'reset'
  | 'resource-constraint'
  | 'restricted-xml'
  | 'system-shutdown'
  | 'undefined-condition'
  | 'unsupported-stanza-type'
  | 'unsupported-version';

/** Base class of every error thrown or reported by @filament/xmpp. */
export class XmppError extends Error {
  override name = 'XmppError';
  readonly code: string = 'ERR_XMPP';
  /** The RFC 6120 stream-error condition, when one applies. */
  readonly condition: StreamErrorCondition | undefined;

  constructor(message: string, condition?: StreamErrorCondition) {
    super(message);
    this.condition = condition;
  }
}

/** The bytes are not well-formed XML (bad tag, mismatched end tag, text outside a stanza...). */
export class XmlSyntaxError extends XmppError {
  override name = 'XmlSyntaxError';
  override readonly code = 'ERR_XMPP_XML_SYNTAX';
  /** Character offset in the text being parsed. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`, 'not-well-formed');
    this.offset = offset;
  }
}

/** XML the stream must not carry: a DOCTYPE, an entity declaration or a reference to an undeclared entity. */
export class RestrictedXmlError extends XmppError {
  override name = 'RestrictedXmlError';
  override readonly code = 'ERR_XMPP_RESTRICTED_XML';
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`, 'restricted-xml');
    this.offset = offset;
  }
}

/** A stanza (or stream header) grew beyond the configured limit before it was complete. */
export class StanzaTooLargeError extends XmppError {
  override name = 'StanzaTooLargeError';
  override readonly code = 'ERR_XMPP_STANZA_TOO_LARGE';
  readonly limit: number;
  readonly size: number;

  constructor(limit: number, size: number) {
    super(`stanza of at least ${size} characters exceeds the limit of ${limit}`, 'policy-violation');
    this.limit = limit;
    this.size = size;
  }
}

/** The stream header is missing, malformed, or not in the form the dialect requires. */
export class StreamHeaderError extends XmppError {
  override name = 'StreamHeaderError';
  override readonly code = 'ERR_XMPP_STREAM_HEADER';

  constructor(message: string, condition: StreamErrorCondition = 'bad-format') {
    super(message, condition);
  }
}

/** The peer's subcluster (header `xmlns`) differs from ours. */
export class SubclusterMismatchError extends XmppError {
  override name = 'SubclusterMismatchError';
  override readonly code = 'ERR_XMPP_SUBCLUSTER_MISMATCH';
  readonly expected: string;
  readonly actual: string;

  constructor(expected: string, actual: string) {
    super(`subcluster mismatch: expected "${expected}", peer sent "${actual}"`, 'invalid-namespace');
    this.expected = expected;
    this.actual = actual;
  }
}

/** An element arrived in a state where the dialect does not allow it (a stanza before the header, ...). */
export class UnexpectedElementError extends XmppError {
  override name = 'UnexpectedElementError';
  override readonly code = 'ERR_XMPP_UNEXPECTED_ELEMENT';
  readonly element: string;
  readonly state: string;

  constructor(element: string, state: string) {
    super(`<${element}> is not allowed in state ${state}`, 'not-authorized');
    this.element = element;
    this.state = state;
  }
}

/** A top-level element the dialect does not handle (`<presence>`, an unknown name). */
export class UnsupportedStanzaError extends XmppError {
  override name = 'UnsupportedStanzaError';
  override readonly code = 'ERR_XMPP_UNSUPPORTED_STANZA';
  readonly element: string;

  constructor(element: string) {
    super(`unsupported stanza <${element}>`, 'unsupported-stanza-type');
    this.element = element;
  }
}

/** Well-formed XML that does not follow the controller<->agent vocabulary (missing node, bad integer...). */
export class VocabularyError extends XmppError {
  override name = 'VocabularyError';
  override readonly code = 'ERR_XMPP_VOCABULARY';
  /** The element or attribute at fault, e.g. `next-hop/label`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`, 'bad-format');
    this.field = field;
  }
}

/** A value given to an encoder cannot be expressed (too many items, a bad node name...). */
export class EncodeError extends XmppError {
  override name = 'EncodeError';
  override readonly code = 'ERR_XMPP_ENCODE';
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/** The agent broke a subscription rule the control node enforces by closing the channel. */
export class SubscriptionError extends XmppError {
  override name = 'SubscriptionError';
  override readonly code = 'ERR_XMPP_SUBSCRIPTION';
  readonly rule: 'duplicate-subscribe' | 'unknown-unsubscribe' | 'not-subscribed';
  readonly node: string;

  constructor(rule: SubscriptionError['rule'], node: string) {
    super(`${rule}: ${node}`, 'policy-violation');
    this.rule = rule;
    this.node = node;
  }
}

/** An open, hold or TLS timer expired. */
export class TimerExpiredError extends XmppError {
  override name = 'TimerExpiredError';
  override readonly code = 'ERR_XMPP_TIMER_EXPIRED';
  readonly timer: 'open' | 'hold' | 'tls';

  constructor(timer: TimerExpiredError['timer'], ms: number) {
    super(`${timer} timer expired after ${ms} ms`, 'connection-timeout');
    this.timer = timer;
  }
}

/** A second session with an agent name already held by a session from another address. */
export class DuplicateAgentError extends XmppError {
  override name = 'DuplicateAgentError';
  override readonly code = 'ERR_XMPP_DUPLICATE_AGENT';
  readonly agent: string;

  constructor(agent: string, existing: string, attempted: string) {
    super(`agent ${agent} is already connected from ${existing}; refused from ${attempted}`, 'conflict');
    this.agent = agent;
  }
}

/** The session was retired because the same agent re-opened from the same address. */
export class SessionReplacedError extends XmppError {
  override name = 'SessionReplacedError';
  override readonly code = 'ERR_XMPP_SESSION_REPLACED';

  constructor(agent: string) {
    super(`session of ${agent} replaced by a new one from the same address`, 'conflict');
  }
}

/** The peer reads too slowly: queued output passed the per-session bound. */
export class WriteBufferOverflowError extends XmppError {
  override name = 'WriteBufferOverflowError';
  override readonly code = 'ERR_XMPP_WRITE_BUFFER_OVERFLOW';
  readonly limit: number;

  constructor(limit: number, queued: number) {
    super(`${queued} bytes queued for a slow peer exceed the limit of ${limit}`, 'resource-constraint');
    this.limit = limit;
  }
}

/** The server refused a connection because it holds its maximum number of sessions. */
export class SessionLimitError extends XmppError {
  override name = 'SessionLimitError';
  override readonly code = 'ERR_XMPP_SESSION_LIMIT';

  constructor(limit: number) {
    super(`server holds its maximum of ${limit} sessions`, 'resource-constraint');
  }
}

/** TLS was required by one side and refused or failed. */
export class TlsError extends XmppError {
  override name = 'TlsError';
  override readonly code = 'ERR_XMPP_TLS';

  constructor(message: string) {
    super(message, 'policy-violation');
  }
}

/** The peer sent <stream:error>. */
export class RemoteStreamError extends XmppError {
  override name = 'RemoteStreamError';
  override readonly code = 'ERR_XMPP_REMOTE_STREAM_ERROR';
  /** The condition element's name as the peer sent it. */
  readonly remoteCondition: string;
  readonly text: string;

  constructor(remoteCondition: string, text: string) {
    super(`peer sent stream error ${remoteCondition}${text ? `: ${text}` : ''}`);
    this.remoteCondition = remoteCondition;
    this.text = text;
  }
}

/** The TCP connection closed or failed (peer close, reset, connect failure). */
export class ConnectionClosedError extends XmppError {
  override name = 'ConnectionClosedError';
  override readonly code = 'ERR_XMPP_CONNECTION_CLOSED';
}
