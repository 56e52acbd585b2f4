// BGP message types (IANA "BGP Message Types"; RFC 4271 4.1, RFC 2918 for ROUTE-REFRESH).

export const MessageType = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;

export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];

const names = new Map<number, string>([
  [MessageType.OPEN, 'OPEN'],
  [MessageType.UPDATE, 'UPDATE'],
  [MessageType.NOTIFICATION, 'NOTIFICATION'],
  [MessageType.KEEPALIVE, 'KEEPALIVE'],
  [MessageType.ROUTE_REFRESH, 'ROUTE-REFRESH'],
]);

/** `OPEN`, `UPDATE`, ... or `TYPE-N` for codes outside the registry. */
export function messageTypeName(code: number): string {
  return names.get(code) ?? `TYPE-${code}`;
}

/** True for the five message types this codec decodes. */
export function isKnownMessageType(code: number): code is MessageTypeCode {
  return names.has(code);
}
