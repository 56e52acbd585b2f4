// Errors of @filament/bgp. Every decoding error says which NOTIFICATION to send (RFC 4271 section 6)
// and which RFC 7606 action applies, so a speaker can act on it without re-parsing.

/** RFC 7606 section 2 actions, from the least to the most disruptive. */
export type ErrorAction =
  /** Attribute discarded, the rest of the UPDATE processed (RFC 7606 2, "attribute discard"). */
  | 'attribute-discard'
  /** The UPDATE's NLRI are handled as withdrawn (RFC 7606 2, "treat-as-withdraw"). */
  | 'treat-as-withdraw'
  /** The AFI/SAFI is disabled for the session (RFC 4760 7 / RFC 7606 2). */
  | 'afi-safi-disable'
  /** NOTIFICATION and close (RFC 7606 2, "session reset"). */
  | 'session-reset';

/** The NOTIFICATION a speaker sends for an error: code, subcode and data (RFC 4271 4.5). */
export interface NotificationSpec {
  code: number;
  subcode: number;
  data: Uint8Array;
}

/** Base of every @filament/bgp error. */
export class BgpError extends Error {
  override name = 'BgpError';
  readonly code: string = 'ERR_BGP';
  /** Where: `header`, `open`, `update`, `attribute:AS_PATH`, `nlri:evpn`, `mrt`, ... */
  readonly layer: string;
  /** The field within the layer, e.g. `length`, `marker`, `routeType`. */
  readonly field: string;
  /** Byte offset in the buffer being decoded. */
  readonly offset: number;
  /** The NOTIFICATION to send, when the error happened on a BGP session. */
  readonly notification: NotificationSpec | undefined;
  /** The RFC 7606 action. */
  readonly action: ErrorAction;

  constructor(
    layer: string,
    field: string,
    offset: number,
    message: string,
    opts: { notification?: NotificationSpec; action?: ErrorAction } = {},
  ) {
    super(`${layer}.${field} at offset ${offset}: ${message}`);
    this.layer = layer;
    this.field = field;
    this.offset = offset;
    this.notification = opts.notification;
    this.action = opts.action ?? 'session-reset';
  }
}

/** The buffer ends before the structure does. */
export class TruncatedError extends BgpError {
  override name = 'TruncatedError';
  override readonly code = 'ERR_BGP_TRUNCATED';
}

/** A field has a value the standard does not allow. */
export class MalformedError extends BgpError {
  override name = 'MalformedError';
  override readonly code = 'ERR_BGP_MALFORMED';
}

/** A value given to an encoder does not fit its field. */
export class EncodeError extends BgpError {
  override name = 'EncodeError';
  override readonly code = 'ERR_BGP_ENCODE';
}

/** The stream framer's buffer bound was exceeded (a peer that floods or never completes a message). */
export class FramerOverflowError extends BgpError {
  override name = 'FramerOverflowError';
  override readonly code = 'ERR_BGP_FRAMER_OVERFLOW';
}

/** A container file (MRT) is not in the expected format. */
export class MrtError extends BgpError {
  override name = 'MrtError';
  override readonly code = 'ERR_BGP_MRT';
}
