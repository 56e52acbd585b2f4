// TF carries an object's uuid inside id_perms as two unsigned 64-bit integers (UuidType):
//   <id-perms><uuid><uuid-mslong>MS</uuid-mslong><uuid-lslong>LS</uuid-lslong></uuid>...</id-perms>
// MS is the first 16 hex digits of the uuid, LS the last 16, each as a decimal integer. Both exceed 2^53, so
// they stay decimal strings here.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const U64 = /^[0-9]{1,20}$/;
const MAX_U64 = (1n << 64n) - 1n;

export function isUuid(s: string): boolean {
  return UUID.test(s);
}

/** The two decimal halves of a (lower-case) uuid string. */
export function uuidToHalves(uuid: string): { uuid_mslong: string; uuid_lslong: string } {
  const hex = uuid.replaceAll('-', '');
  return {
    uuid_mslong: BigInt(`0x${hex.slice(0, 16)}`).toString(),
    uuid_lslong: BigInt(`0x${hex.slice(16)}`).toString(),
  };
}

/** The uuid string of two decimal halves, or undefined when they are not unsigned 64-bit integers. */
export function uuidFromHalves(ms: string, ls: string): string | undefined {
  if (!U64.test(ms) || !U64.test(ls)) return undefined;
  const m = BigInt(ms);
  const l = BigInt(ls);
  if (m > MAX_U64 || l > MAX_U64) return undefined;
  const hex = m.toString(16).padStart(16, '0') + l.toString(16).padStart(16, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
