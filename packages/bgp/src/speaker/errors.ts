// Errors of the BGP speaker (sessions, transport, configuration). Each is a class told apart by `name`,
// with a stable `code`; codec errors (decoding, RFC 7606) stay in ../errors.ts.

/** Base of the speaker's errors. */
export class SpeakerError extends Error {
  override name = 'SpeakerError';
  readonly code: string = 'ERR_BGP_SPEAKER';
}

/**
 * TCP MD5 signatures (RFC 2385) were asked for but cannot be set: Node's `net` module exposes no
 * `setsockopt(TCP_MD5SIG)`, so no Node process can sign its BGP segments on any platform.
 */
export class TcpMd5UnsupportedError extends SpeakerError {
  override name = 'TcpMd5UnsupportedError';
  override readonly code = 'ERR_BGP_TCP_MD5_UNSUPPORTED';
  readonly platform: string;
  readonly peer: string;
  constructor(peer: string, platform: string) {
    super(
      `TCP MD5 (RFC 2385) requested for peer ${peer}, but Node.js on ${platform} has no setsockopt(TCP_MD5SIG): ` +
        'the socket API of node:net cannot install the key. Remove the password, or terminate the session on a ' +
        'speaker that can sign (FRR, BIRD, gobgpd) and peer with it unsigned on loopback.',
    );
    this.platform = platform;
    this.peer = peer;
  }
}

/** A declarative configuration (or an API call's options) is invalid. */
export class SpeakerConfigError extends SpeakerError {
  override name = 'SpeakerConfigError';
  override readonly code = 'ERR_BGP_SPEAKER_CONFIG';
  /** Path of the offending field, e.g. `peers[1].asn`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/** An operation names a peer the speaker does not have. */
export class UnknownPeerError extends SpeakerError {
  override name = 'UnknownPeerError';
  override readonly code = 'ERR_BGP_UNKNOWN_PEER';
  readonly peer: string;
  constructor(peer: string) {
    super(`no peer ${peer}`);
    this.peer = peer;
  }
}

/** A route given to `announce`/`withdraw` cannot be carried (family not enabled, missing next hop, ...). */
export class RouteInjectionError extends SpeakerError {
  override name = 'RouteInjectionError';
  override readonly code = 'ERR_BGP_ROUTE_INJECTION';
}
