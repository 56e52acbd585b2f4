// NOTIFICATION error codes and subcodes with their names (IANA "BGP Error (Notification) Codes" and
// "BGP Error Subcodes"): RFC 4271 6, RFC 4486 and RFC 8203/9003 (Cease), RFC 5492 (Unsupported Capability),
// RFC 6608 (FSM errors), RFC 7313 (ROUTE-REFRESH errors), RFC 8538 (Hard Reset), RFC 9234 (Role Mismatch),
// RFC 9384 (BFD Down), RFC 9687 (Send Hold Timer Expired).

export const NotificationCode = {
  MESSAGE_HEADER_ERROR: 1,
  OPEN_MESSAGE_ERROR: 2,
  UPDATE_MESSAGE_ERROR: 3,
  HOLD_TIMER_EXPIRED: 4,
  FSM_ERROR: 5,
  CEASE: 6,
  ROUTE_REFRESH_MESSAGE_ERROR: 7,
  SEND_HOLD_TIMER_EXPIRED: 8,
} as const;

export const HeaderErrorSubcode = {
  CONNECTION_NOT_SYNCHRONIZED: 1,
  BAD_MESSAGE_LENGTH: 2,
  BAD_MESSAGE_TYPE: 3,
} as const;

export const OpenErrorSubcode = {
  UNSPECIFIC: 0,
  UNSUPPORTED_VERSION_NUMBER: 1,
  BAD_PEER_AS: 2,
  BAD_BGP_IDENTIFIER: 3,
  UNSUPPORTED_OPTIONAL_PARAMETER: 4,
  UNACCEPTABLE_HOLD_TIME: 6,
  UNSUPPORTED_CAPABILITY: 7,
  ROLE_MISMATCH: 11,
} as const;

export const UpdateErrorSubcode = {
  MALFORMED_ATTRIBUTE_LIST: 1,
  UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE: 2,
  MISSING_WELL_KNOWN_ATTRIBUTE: 3,
  ATTRIBUTE_FLAGS_ERROR: 4,
  ATTRIBUTE_LENGTH_ERROR: 5,
  INVALID_ORIGIN_ATTRIBUTE: 6,
  INVALID_NEXT_HOP_ATTRIBUTE: 8,
  OPTIONAL_ATTRIBUTE_ERROR: 9,
  INVALID_NETWORK_FIELD: 10,
  MALFORMED_AS_PATH: 11,
} as const;

export const FsmErrorSubcode = {
  UNSPECIFIED: 0,
  UNEXPECTED_MESSAGE_IN_OPENSENT: 1,
  UNEXPECTED_MESSAGE_IN_OPENCONFIRM: 2,
  UNEXPECTED_MESSAGE_IN_ESTABLISHED: 3,
} as const;

export const CeaseSubcode = {
  MAXIMUM_NUMBER_OF_PREFIXES_REACHED: 1,
  ADMINISTRATIVE_SHUTDOWN: 2,
  PEER_DECONFIGURED: 3,
  ADMINISTRATIVE_RESET: 4,
  CONNECTION_REJECTED: 5,
  OTHER_CONFIGURATION_CHANGE: 6,
  CONNECTION_COLLISION_RESOLUTION: 7,
  OUT_OF_RESOURCES: 8,
  HARD_RESET: 9,
  BFD_DOWN: 10,
} as const;

export const RouteRefreshErrorSubcode = {
  INVALID_MESSAGE_LENGTH: 1,
} as const;

const codeNames = new Map<number, string>([
  [1, 'Message Header Error'],
  [2, 'OPEN Message Error'],
  [3, 'UPDATE Message Error'],
  [4, 'Hold Timer Expired'],
  [5, 'Finite State Machine Error'],
  [6, 'Cease'],
  [7, 'ROUTE-REFRESH Message Error'],
  [8, 'Send Hold Timer Expired'],
]);

const subcodeNames = new Map<number, Map<number, string>>([
  [
    1,
    new Map([
      [1, 'Connection Not Synchronized'],
      [2, 'Bad Message Length'],
      [3, 'Bad Message Type'],
    ]),
  ],
  [
    2,
    new Map([
      [0, 'Unspecific'],
      [1, 'Unsupported Version Number'],
      [2, 'Bad Peer AS'],
      [3, 'Bad BGP Identifier'],
      [4, 'Unsupported Optional Parameter'],
      [5, 'Authentication Failure (deprecated)'],
      [6, 'Unacceptable Hold Time'],
      [7, 'Unsupported Capability'],
      [8, 'Deprecated'],
      [9, 'Deprecated'],
      [10, 'Deprecated'],
      [11, 'Role Mismatch'],
    ]),
  ],
  [
    3,
    new Map([
      [0, 'Unspecific'],
      [1, 'Malformed Attribute List'],
      [2, 'Unrecognized Well-known Attribute'],
      [3, 'Missing Well-known Attribute'],
      [4, 'Attribute Flags Error'],
      [5, 'Attribute Length Error'],
      [6, 'Invalid ORIGIN Attribute'],
      [7, 'AS Routing Loop (deprecated)'],
      [8, 'Invalid NEXT_HOP Attribute'],
      [9, 'Optional Attribute Error'],
      [10, 'Invalid Network Field'],
      [11, 'Malformed AS_PATH'],
    ]),
  ],
  [
    5,
    new Map([
      [0, 'Unspecified Error'],
      [1, 'Receive Unexpected Message in OpenSent State'],
      [2, 'Receive Unexpected Message in OpenConfirm State'],
      [3, 'Receive Unexpected Message in Established State'],
    ]),
  ],
  [
    6,
    new Map([
      [0, 'Unspecific'],
      [1, 'Maximum Number of Prefixes Reached'],
      [2, 'Administrative Shutdown'],
      [3, 'Peer De-configured'],
      [4, 'Administrative Reset'],
      [5, 'Connection Rejected'],
      [6, 'Other Configuration Change'],
      [7, 'Connection Collision Resolution'],
      [8, 'Out of Resources'],
      [9, 'Hard Reset'],
      [10, 'BFD Down'],
    ]),
  ],
  [
    7,
    new Map([
      [0, 'Unspecific'],
      [1, 'Invalid Message Length'],
    ]),
  ],
]);

/** The name of an error code, or `Code N`. */
export function notificationCodeName(code: number): string {
  return codeNames.get(code) ?? `Code ${code}`;
}

/** The name of a subcode under `code`; subcode 0 of codes without subcodes is `Unspecific`. */
export function notificationSubcodeName(code: number, subcode: number): string {
  const name = subcodeNames.get(code)?.get(subcode);
  if (name) return name;
  return subcode === 0 ? 'Unspecific' : `Subcode ${subcode}`;
}
