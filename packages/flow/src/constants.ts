// Code registries: actions, TCP state bits, entry flags, insert results and delete reasons. The numeric
// values are stored in the table's typed arrays, so they are part of the memory layout and stay stable.

/** What the forwarder does with a packet that hits the flow; the codes are the vRouter's VR_FLOW_ACTION_*. */
export const Action = {
  DROP: 0,
  /** First packet seen, decision pending; later packets are queued (bounded) until it arrives. */
  HOLD: 1,
  FORWARD: 2,
  /** Forward after rewriting the tuple to the reverse flow's key, swapped (see `rewriteKey`). */
  NAT: 3,
} as const;
export type Action = (typeof Action)[keyof typeof Action];
export const ACTION_NAMES = ['DROP', 'HOLD', 'FORWARD', 'NAT'] as const;

/** TCP segments seen in one direction of a flow; a pair is closed after RST, or FIN in both directions. */
export const TcpState = {
  SYN: 1,
  SYN_ACK: 2,
  ESTABLISHED: 4,
  FIN: 8,
  RST: 16,
} as const;

/** TCP header flag bits as they appear on the wire (RFC 9293 3.1), for `hit(..., tcpFlags)`. */
export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20 } as const;

/** Per-entry flags (8 bits). */
export const FlowFlag = {
  /** This entry is the reverse half of its pair (created for return traffic). */
  REVERSE: 1,
  /** Packets are also copied to the mirror target. */
  MIRROR: 2,
  /** Source address or port is rewritten. */
  SNAT: 4,
  /** Destination address or port is rewritten. */
  DNAT: 8,
  /** The VRF changes on rewrite (floating IP). */
  VRF_TRANSLATE: 16,
} as const;

/** Result of `insertPair` when no flow was created (a created pair returns its forward index, >= 0). */
export const InsertStatus = {
  /** The flow limit (`maxFlows`) is reached: a new flow is dropped, as the vrouter does. */
  TABLE_FULL: -1,
  /** The hash bucket and the overflow area have no free entry for this key. */
  BUCKET_FULL: -2,
  /** The ingress interface reached `maxFlowsPerVif`. */
  VIF_LIMIT: -3,
  /** `maxHeldFlows` flows are already on hold. */
  HOLD_LIMIT: -4,
  /** The forward or the reverse key is already in the table. */
  EXISTS: -5,
} as const;
export type InsertStatus = (typeof InsertStatus)[keyof typeof InsertStatus];

/** Why a flow left the table, passed to `onDelete`. */
export const DeleteReason = {
  /** `deletePair` / `delete` by the owner. */
  EXPLICIT: 0,
  /** Idle longer than its protocol's timeout. */
  AGED: 1,
  /** TCP connection closed (RST, or FIN both ways) and the short closed timeout passed. */
  TCP_CLOSED: 2,
  /** TCP handshake never completed within the embryonic timeout. */
  TCP_EMBRYONIC: 3,
} as const;
export type DeleteReason = (typeof DeleteReason)[keyof typeof DeleteReason];

/** IP protocol numbers the table treats specially. */
export const Protocol = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58 } as const;
