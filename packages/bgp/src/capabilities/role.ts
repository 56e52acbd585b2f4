// RFC 9234 4.1: BGP Role capability (code 9); one octet naming the speaker's role on this session.
//
//  +-------+-------+-------+
//  | Code=9| Len=1 | Role  |     0 Provider, 1 Route Server, 2 RS-Client, 3 Customer, 4 Peer
//  +-------+-------+-------+
import { checkUint, type Writer } from '../wire.js';
import { expectLength } from './error.js';

export const BgpRole = {
  PROVIDER: 0,
  ROUTE_SERVER: 1,
  RS_CLIENT: 2,
  CUSTOMER: 3,
  PEER: 4,
} as const;

const roleNames = ['provider', 'rs', 'rs-client', 'customer', 'peer'];

/** `provider`, `rs`, `rs-client`, `customer`, `peer` or `role-N`. */
export function roleName(role: number): string {
  return roleNames[role] ?? `role-${role}`;
}

export interface RoleCapability {
  type: 'role';
  role: number;
}

export function decodeRole(buf: Uint8Array, o: number, len: number): RoleCapability {
  expectLength('role', o, len, 1);
  return { type: 'role', role: buf[o]! };
}

export function encodeRole(c: RoleCapability, w: Writer): void {
  checkUint('capability:role', 'role', c.role, 0xff);
  w.u8(c.role);
}

/**
 * RFC 9234 4.2: the roles that may face each other (provider-customer, rs-rsclient, peer-peer).
 * Returns false for pairs that must be refused with OPEN Message Error / Role Mismatch (subcode 11).
 */
export function rolesMatch(local: number, remote: number): boolean {
  const pairs: Record<number, number> = { 0: 3, 3: 0, 1: 2, 2: 1, 4: 4 };
  return pairs[local] === remote;
}
